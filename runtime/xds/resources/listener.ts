/**
 * LDS: `envoy.config.listener.v3.Listener` → {@link Listener}. A listener binds
 * an address; each connection picks the filter chain whose match is most
 * specific (else the default chain), whose terminal network filter is an HTTP
 * connection manager or a TCP proxy.
 */
import { Address, decodeAddress, isIpAddress } from './address';
import { HTTP_CONNECTION_MANAGER_TYPE_URL, HttpConnectionManager, readHttpConnectionManager } from './http-connection-manager';
import { Issues, Message, readAny } from './private/reader';
import { Result, fail, ok } from './result';
import { TCP_PROXY_TYPE_URL, TcpProxy, readTcpProxy } from './tcp-proxy';
import { TransportSocket, decodeTransportSocket } from './transport-socket';

export type NetworkFilter =
  | { readonly name: string; readonly kind: 'httpConnectionManager'; readonly config: HttpConnectionManager }
  | { readonly name: string; readonly kind: 'tcpProxy'; readonly config: TcpProxy };

export interface CidrRange {
  readonly address: string;
  readonly prefixLength: number;
}

/** Conditions a connection must meet to use a filter chain; empty lists match anything. */
export interface FilterChainMatch {
  readonly destinationPort?: number;
  readonly prefixRanges: readonly CidrRange[];
  readonly sourceType: 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';
  readonly sourcePrefixRanges: readonly CidrRange[];
  readonly sourcePorts: readonly number[];
  /** Lower-cased SNI names; `*.example.com` wildcards allowed. */
  readonly serverNames: readonly string[];
  readonly transportProtocol?: string;
  readonly applicationProtocols: readonly string[];
}

export interface FilterChain {
  /** @default '' */
  readonly name: string;
  readonly match: FilterChainMatch;
  /** In order; the last one is terminal. */
  readonly filters: readonly NetworkFilter[];
  readonly transportSocket?: TransportSocket;
}

export type ListenerFilterKind = 'originalDst' | 'tlsInspector' | 'httpInspector';

export interface ListenerFilter {
  readonly name: string;
  readonly kind: ListenerFilterKind;
}

export interface Listener {
  readonly name: string;
  /** Absent only for API listeners. */
  readonly address?: Address;
  /** @default true */
  readonly bindToPort: boolean;
  /** Hand connections redirected here to the listener of their original destination. */
  readonly useOriginalDst: boolean;
  readonly trafficDirection: 'UNSPECIFIED' | 'INBOUND' | 'OUTBOUND';
  readonly filterChains: readonly FilterChain[];
  readonly defaultFilterChain?: FilterChain;
  readonly listenerFilters: readonly ListenerFilter[];
  /** @default 15000 */
  readonly listenerFiltersTimeoutMs: number;
  readonly perConnectionBufferLimitBytes?: number;
  /** An API listener (as gRPC clients use): the HTTP connection manager alone. */
  readonly apiListener?: HttpConnectionManager;
}

export const DEFAULT_LISTENER_FILTERS_TIMEOUT_MS = 15_000;

const LISTENER_FILTERS: Readonly<Record<string, ListenerFilterKind>> = {
  'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst': 'originalDst',
  'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector': 'tlsInspector',
  'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector': 'httpInspector',
};

function decodeNetworkFilter(m: Message): NetworkFilter | undefined {
  m.unsupported(['config_discovery'], 'is not supported (give typed_config)');
  const name = m.string('name', { required: true });
  const config = m.message('typed_config', { required: true });
  const typed = config ? readAny(config) : undefined;
  if (!typed || name === undefined) return undefined;
  if (typed.typeUrl === HTTP_CONNECTION_MANAGER_TYPE_URL && typed.body) {
    const hcm = readHttpConnectionManager(typed.body);
    return hcm ? { name, kind: 'httpConnectionManager', config: hcm } : undefined;
  }
  if (typed.typeUrl === TCP_PROXY_TYPE_URL && typed.body) {
    const tcp = readTcpProxy(typed.body);
    return tcp ? { name, kind: 'tcpProxy', config: tcp } : undefined;
  }
  config?.error(undefined, `unsupported network filter type '${typed.typeUrl}'`);
  return undefined;
}

function decodeCidr(m: Message): CidrRange | undefined {
  const address = m.string('address_prefix', { required: true });
  const v6 = address?.includes(':') ?? false;
  const prefixLength = m.integer('prefix_len', { max: v6 ? 128 : 32 }) ?? 0;
  if (address === undefined) return undefined;
  if (!isIpAddress(address)) {
    m.error('address_prefix', `expected an IP address, got '${address}'`);
    return undefined;
  }
  return { address, prefixLength };
}

function decodeFilterChainMatch(m: Message | undefined): FilterChainMatch {
  if (!m) return { prefixRanges: [], sourceType: 'ANY', sourcePrefixRanges: [], sourcePorts: [], serverNames: [], applicationProtocols: [] };
  m.unsupported(['direct_source_prefix_ranges', 'address_suffix', 'suffix_len']);
  const destinationPort = m.integer('destination_port', { min: 1, max: 65535 });
  const cidrs = (field: string): CidrRange[] => m.messages(field).map(decodeCidr).filter((c): c is CidrRange => c !== undefined);
  const sourcePorts: number[] = [];
  const rawPorts = m.raw('source_ports');
  if (Array.isArray(rawPorts)) {
    rawPorts.forEach((p: unknown, i: number) => {
      if (typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535) sourcePorts.push(p);
      else m.issues.add(`${m.at('source_ports')}[${i}]`, `must be a port between 1 and 65535 (got ${String(p)})`);
    });
  }
  const serverNames = m.strings('server_names', { nonEmpty: true }).map((n) => n.toLowerCase());
  serverNames.forEach((n, i) => {
    if (n.includes('*') && !(n.startsWith('*.') && n.indexOf('*', 1) < 0)) {
      m.issues.add(`${m.at('server_names')}[${i}]`, `partial wildcards are not supported (got '${n}'; only a leading '*.' is)`);
    }
  });
  const transportProtocol = m.string('transport_protocol');
  return {
    ...(destinationPort !== undefined ? { destinationPort } : {}),
    prefixRanges: cidrs('prefix_ranges'),
    sourceType: m.enumOf('source_type', ['ANY', 'SAME_IP_OR_LOOPBACK', 'EXTERNAL'] as const, 'ANY'),
    sourcePrefixRanges: cidrs('source_prefix_ranges'),
    sourcePorts,
    serverNames,
    ...(transportProtocol ? { transportProtocol } : {}),
    applicationProtocols: m.strings('application_protocols', { nonEmpty: true }),
  };
}

function decodeFilterChain(m: Message): FilterChain | undefined {
  m.unsupported(['on_demand_configuration', 'use_proxy_proto']);
  const name = m.string('name') ?? '';
  const match = decodeFilterChainMatch(m.message('filter_chain_match'));
  const filterMessages = m.messages('filters', { minItems: 1 });
  const filters = filterMessages.map(decodeNetworkFilter);
  filters.forEach((f, i) => {
    if (f && i !== filters.length - 1) (filterMessages[i] as Message).error(undefined, `terminal filter '${f.name}' must be the last network filter of the chain`);
  });
  const ts = m.message('transport_socket');
  const transportSocket = ts ? decodeTransportSocket(ts) : undefined;
  if (filters.some((f) => f === undefined)) return undefined;
  return { name, match, filters: filters as NetworkFilter[], ...(transportSocket ? { transportSocket } : {}) };
}

/** Envoy rejects two chains with the same match, and (named) chains sharing a name. */
function checkChains(chains: readonly Message[]): void {
  const matches = new Map<string, number>();
  const names = new Map<string, number>();
  chains.forEach((c, i) => {
    const key = JSON.stringify(canonical(c.fields.filter_chain_match ?? {}));
    const first = matches.get(key);
    if (first !== undefined) c.error('filter_chain_match', `same match as filter_chains[${first}] (each filter chain must match differently)`);
    else matches.set(key, i);
    const name = c.fields.name;
    if (typeof name === 'string' && name !== '') {
      const firstName = names.get(name);
      if (firstName !== undefined) c.error('name', `duplicate filter chain name '${name}' (also filter_chains[${firstName}])`);
      else names.set(name, i);
    }
  });
}

/** A value with object keys sorted and empty lists dropped, for comparing matches. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    out[key] = canonical(v);
  }
  return out;
}

/** Decodes and validates an `envoy.config.listener.v3.Listener`. */
export function decodeListener(plain: unknown): Result<Listener> {
  const issues = new Issues();
  const m = Message.root(plain, issues);
  if (!m) return fail(issues.list);
  m.unsupported(['additional_addresses', 'udp_listener_config', 'filter_chain_matcher', 'internal_listener', 'listener_specifier']);
  const name = m.string('name', { required: true });
  let apiListener: HttpConnectionManager | undefined;
  const api = m.message('api_listener');
  if (api) {
    const inner = api.message('api_listener', { required: true });
    const typed = inner ? readAny(inner) : undefined;
    if (typed && typed.typeUrl === HTTP_CONNECTION_MANAGER_TYPE_URL && typed.body) apiListener = readHttpConnectionManager(typed.body);
    else if (typed) inner?.error(undefined, `an API listener must be an HTTP connection manager (got '${typed.typeUrl}')`);
  }
  const addressMessage = m.message('address', { required: !api });
  const address = addressMessage ? decodeAddress(addressMessage, { ipOnly: true }) : undefined;
  const chainMessages = m.messages('filter_chains');
  const filterChains = chainMessages.map(decodeFilterChain).filter((c): c is FilterChain => c !== undefined);
  checkChains(chainMessages);
  const d = m.message('default_filter_chain');
  const defaultFilterChain = d ? decodeFilterChain(d) : undefined;
  if (!api && chainMessages.length === 0 && !d) m.error('filter_chains', 'a listener needs at least one filter chain or a default_filter_chain');
  const listenerFilters: ListenerFilter[] = [];
  for (const f of m.messages('listener_filters')) {
    const filterName = f.string('name', { required: true });
    f.unsupported(['filter_disabled', 'config_discovery']);
    const config = f.message('typed_config', { required: true });
    const typed = config ? readAny(config) : undefined;
    const kind = typed ? LISTENER_FILTERS[typed.typeUrl] : undefined;
    if (typed && !kind) config?.error(undefined, `unsupported listener filter type '${typed.typeUrl}'`);
    if (filterName !== undefined && kind) listenerFilters.push({ name: filterName, kind });
  }
  const perConnectionBufferLimitBytes = m.integer('per_connection_buffer_limit_bytes');
  const value: Listener = {
    name: name ?? '',
    ...(address ? { address } : {}),
    bindToPort: m.bool('bind_to_port', true),
    useOriginalDst: m.bool('use_original_dst', false),
    trafficDirection: m.enumOf('traffic_direction', ['UNSPECIFIED', 'INBOUND', 'OUTBOUND'] as const, 'UNSPECIFIED'),
    filterChains,
    ...(defaultFilterChain ? { defaultFilterChain } : {}),
    listenerFilters,
    listenerFiltersTimeoutMs: m.duration('listener_filters_timeout') ?? DEFAULT_LISTENER_FILTERS_TIMEOUT_MS,
    ...(perConnectionBufferLimitBytes !== undefined ? { perConnectionBufferLimitBytes } : {}),
    ...(apiListener ? { apiListener } : {}),
  };
  return issues.empty ? ok(value) : fail(issues.list);
}
