/** `route.v3.RouteAction.HashPolicy`: how a consistent-hash cluster picks a host for a request. */
import type { Message } from './private/reader';

export type HashPolicy = (
  | { readonly kind: 'header'; readonly headerName: string }
  | { readonly kind: 'cookie'; readonly name: string; readonly path?: string; readonly ttlMs?: number }
  | { readonly kind: 'sourceIp' }
  | { readonly kind: 'queryParameter'; readonly name: string }
  | { readonly kind: 'filterState'; readonly key: string }
) & {
  /** Stop at this policy when it yields a hash. */
  readonly terminal: boolean;
};

/** Reads one hash policy. */
export function decodeHashPolicy(m: Message): HashPolicy | undefined {
  const kind = m.oneof(['header', 'cookie', 'connection_properties', 'query_parameter', 'filter_state'] as const, { required: true });
  const terminal = m.bool('terminal', false);
  const inner = kind ? m.message(kind) : undefined;
  if (!inner) return undefined;
  switch (kind) {
    case 'header': {
      inner.unsupported(['regex_rewrite']);
      const headerName = inner.string('header_name', { required: true });
      return headerName === undefined ? undefined : { kind: 'header', headerName: headerName.toLowerCase(), terminal };
    }
    case 'cookie': {
      inner.unsupported(['attributes']);
      const name = inner.string('name', { required: true });
      const path = inner.string('path');
      const ttlMs = inner.duration('ttl');
      if (name === undefined) return undefined;
      return { kind: 'cookie', name, ...(path ? { path } : {}), ...(ttlMs !== undefined ? { ttlMs } : {}), terminal };
    }
    case 'connection_properties':
      if (!inner.bool('source_ip', false)) {
        inner.error('source_ip', 'must be true (the only connection property)');
        return undefined;
      }
      return { kind: 'sourceIp', terminal };
    case 'query_parameter': {
      const name = inner.string('name', { required: true });
      return name === undefined ? undefined : { kind: 'queryParameter', name, terminal };
    }
    case 'filter_state': {
      const key = inner.string('key', { required: true });
      return key === undefined ? undefined : { kind: 'filterState', key, terminal };
    }
    default:
      return undefined;
  }
}
