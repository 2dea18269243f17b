/**
 * Small builders for the Envoy proto-JSON shapes the translation repeats
 * (snake_case names, durations as `'1.5s'`, enums by name), and the conversion
 * of Istio's values (durations such as `"100ms"`, percentages) into them.
 */
import type { PlainMessage } from '../protos';
import type { StringMatch } from '../../../constructs/api';

export type { PlainMessage };

/** `config_source` that fetches over the ADS stream. */
export function adsConfigSource(): PlainMessage {
  return { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' };
}

export function socketAddress(address: string, port: number): PlainMessage {
  return { socket_address: { address, port_value: port } };
}

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, 'µs': 1_000n, ns: 1n,
};

/** Nanoseconds of an Istio duration (`"1h30m"`, `"0.5s"`, `"100ms"`). Throws on anything else. */
export function durationNanos(text: string): bigint {
  const re = /([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [whole, frac = ''] = (m[1] as string).split('.');
    const unit = UNIT_NANOS[m[2] as string] as bigint;
    const scale = 10n ** BigInt(frac.length);
    total += (BigInt(whole as string) * scale + BigInt(frac === '' ? '0' : frac)) * unit / scale;
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text.length === 0) throw new Error(`invalid duration '${text}'`);
  return total;
}

/** An Istio duration as a proto3 JSON duration: `"100ms"` → `"0.100s"`, `"1m"` → `"60s"`. */
export function duration(text: string): string {
  return nanosToDuration(durationNanos(text));
}

export function nanosToDuration(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  if (rest === 0n) return `${seconds}s`;
  const frac = rest.toString().padStart(9, '0').replace(/0+$/, '');
  return `${seconds}.${frac.length <= 3 ? frac.padEnd(3, '0') : frac.length <= 6 ? frac.padEnd(6, '0') : frac.padEnd(9, '0')}s`;
}

/** Seconds of an Istio duration, rounded down (CORS `max_age`). */
export function durationSeconds(text: string): number {
  return Number(durationNanos(text) / 1_000_000_000n);
}

/** A percentage (0..100, fractions allowed) as Istio encodes it: a FractionalPercent over a million. */
export function fractionalPercent(percent: number): PlainMessage {
  return { numerator: Math.round(percent * 10_000), denominator: 'MILLION' };
}

/** An integer percentage over a hundred (the deprecated integer fields). */
export function integerPercent(percent: number): PlainMessage {
  return { numerator: percent, denominator: 'HUNDRED' };
}

/** An Istio StringMatch as an Envoy `type.matcher.v3.StringMatcher`. */
export function stringMatcher(match: StringMatch, ignoreCase = false): PlainMessage {
  const base: PlainMessage =
    'exact' in match ? { exact: match.exact } : 'prefix' in match ? { prefix: match.prefix } : { safe_regex: { regex: match.regex } };
  return ignoreCase && !('regex' in match) ? { ...base, ignore_case: true } : base;
}

/** A typed filter config: `{ '@type': url, ...fields }`. */
export function typed(typeUrl: string, fields: PlainMessage = {}): PlainMessage {
  return { '@type': typeUrl, ...fields };
}

export const TYPE = {
  hcm: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  fault: 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
  cors: 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors',
  corsPolicy: 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  originalDst: 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  previousHosts: 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
} as const;

/** Well-known filter names. */
export const FILTER = {
  hcm: 'envoy.filters.network.http_connection_manager',
  tcpProxy: 'envoy.filters.network.tcp_proxy',
  router: 'envoy.filters.http.router',
  fault: 'envoy.filters.http.fault',
  cors: 'envoy.filters.http.cors',
  originalDst: 'envoy.filters.listener.original_dst',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;
