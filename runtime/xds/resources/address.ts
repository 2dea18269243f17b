/** `core.v3.Address`: a socket address or a Unix domain socket path. */
import type { Message } from './private/reader';

export type Address =
  | { readonly kind: 'socket'; readonly address: string; readonly port: number; readonly protocol: 'TCP' | 'UDP' }
  | { readonly kind: 'pipe'; readonly path: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `text` is an IPv4 or IPv6 literal. */
export function isIpAddress(text: string): boolean {
  if (IPV4.test(text)) return true;
  return text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text) && (text.match(/::/g) ?? []).length <= 1;
}

export interface AddressOptions {
  /** Require an IP literal (STATIC clusters, listeners) rather than a host name. @default false */
  readonly ipOnly?: boolean;
}

/** Reads a `core.v3.Address` (socket_address or pipe). */
export function decodeAddress(m: Message, options: AddressOptions = {}): Address | undefined {
  m.unsupported(['envoy_internal_address'], 'internal addresses are not supported');
  const kind = m.oneof(['socket_address', 'pipe'] as const, { required: true });
  if (kind === 'pipe') {
    const pipe = m.message('pipe');
    const path = pipe?.string('path', { required: true });
    return path === undefined ? undefined : { kind: 'pipe', path };
  }
  const s = kind === 'socket_address' ? m.message('socket_address') : undefined;
  if (!s) return undefined;
  s.unsupported(['named_port', 'resolver_name'], 'is not supported (use port_value and the default resolver)');
  const address = s.string('address', { required: true });
  const port = s.integer('port_value', { max: 65535 }) ?? 0;
  const protocol = s.enumOf('protocol', ['TCP', 'UDP'] as const, 'TCP');
  if (address === undefined) return undefined;
  if (options.ipOnly && !isIpAddress(address)) {
    s.error('address', `expected an IP address, got '${address}'`);
    return undefined;
  }
  return { kind: 'socket', address, port, protocol };
}
