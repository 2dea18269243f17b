/**
 * How a cluster speaks HTTP upstream: `typed_extension_protocol_options` with
 * `envoy.extensions.upstreams.http.v3.HttpProtocolOptions`, or the older
 * cluster fields (`http2_protocol_options`, `max_requests_per_connection`, ...).
 */
import type { Message } from './private/reader';
import { readAny } from './private/reader';

export const HTTP_PROTOCOL_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
export const HTTP_PROTOCOL_OPTIONS_TYPE_URL = `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS_KEY}`;

export interface UpstreamHttpOptions {
  /** `downstream`: the protocol the request came in with; `auto`: ALPN. @default 'http1' */
  readonly protocol: 'http1' | 'http2' | 'downstream' | 'auto';
  readonly idleTimeoutMs?: number;
  readonly maxRequestsPerConnection?: number;
  readonly maxConnectionDurationMs?: number;
  readonly maxHeadersCount?: number;
  /** HTTP/2 streams per connection. */
  readonly maxConcurrentStreams?: number;
}

interface Common {
  idleTimeoutMs?: number;
  maxRequestsPerConnection?: number;
  maxConnectionDurationMs?: number;
  maxHeadersCount?: number;
}

function common(m: Message | undefined): Common {
  if (!m) return {};
  const out: Common = {};
  const idle = m.duration('idle_timeout');
  if (idle !== undefined) out.idleTimeoutMs = idle;
  const maxRequests = m.integer('max_requests_per_connection', { min: 1 });
  if (maxRequests !== undefined) out.maxRequestsPerConnection = maxRequests;
  const duration = m.duration('max_connection_duration');
  if (duration !== undefined) out.maxConnectionDurationMs = duration;
  const headers = m.integer('max_headers_count', { min: 1 });
  if (headers !== undefined) out.maxHeadersCount = headers;
  return out;
}

function maxStreams(m: Message | undefined): number | undefined {
  return m?.integer('max_concurrent_streams', { min: 1, max: 2147483647 });
}

/** Reads an HttpProtocolOptions message. */
function decodeHttpProtocolOptions(m: Message): UpstreamHttpOptions {
  m.unsupported(['upstream_http_protocol_options', 'http_filters', 'header_validation_config']);
  const which = m.oneof(['explicit_http_config', 'use_downstream_protocol_config', 'auto_config'] as const, { required: true });
  const c = common(m.message('common_http_protocol_options'));
  const inner = which ? m.message(which) : undefined;
  if (which === 'explicit_http_config' && inner) {
    const p = inner.oneof(['http_protocol_options', 'http2_protocol_options', 'http3_protocol_options'] as const, { required: true });
    if (p === 'http3_protocol_options') inner.error(p, 'HTTP/3 is not supported');
    if (p === 'http2_protocol_options') {
      const streams = maxStreams(inner.message(p));
      return { protocol: 'http2', ...c, ...(streams !== undefined ? { maxConcurrentStreams: streams } : {}) };
    }
    return { protocol: 'http1', ...c };
  }
  if (inner) inner.unsupported(['http3_protocol_options'], 'HTTP/3 is not supported');
  return { protocol: which === 'auto_config' ? 'auto' : 'downstream', ...c };
}

/** The upstream HTTP options of a cluster message. */
export function decodeUpstreamHttpOptions(cluster: Message): UpstreamHttpOptions {
  let typed: UpstreamHttpOptions | undefined;
  for (const [key, value] of cluster.entries('typed_extension_protocol_options')) {
    const any = readAny(value);
    if (!any) continue;
    if (key === HTTP_PROTOCOL_OPTIONS_KEY && any.typeUrl === HTTP_PROTOCOL_OPTIONS_TYPE_URL && any.body) typed = decodeHttpProtocolOptions(any.body);
    else value.error(undefined, `unsupported protocol options '${key}' of type '${any.typeUrl}' (expected ${HTTP_PROTOCOL_OPTIONS_KEY})`);
  }
  const legacyFields = ['http_protocol_options', 'http2_protocol_options', 'common_http_protocol_options', 'upstream_http_protocol_options'];
  const legacy = legacyFields.filter((f) => cluster.has(f));
  const legacyMaxRequests = cluster.integer('max_requests_per_connection', { min: 1 });
  if (typed) {
    for (const f of legacy) cluster.error(f, `cannot be set together with typed_extension_protocol_options[${HTTP_PROTOCOL_OPTIONS_KEY}]`);
    if (legacyMaxRequests !== undefined && typed.maxRequestsPerConnection !== undefined) {
      cluster.error('max_requests_per_connection', `cannot be set together with the max_requests_per_connection of typed_extension_protocol_options[${HTTP_PROTOCOL_OPTIONS_KEY}]`);
    }
    return legacyMaxRequests !== undefined && typed.maxRequestsPerConnection === undefined ? { ...typed, maxRequestsPerConnection: legacyMaxRequests } : typed;
  }
  const h2 = cluster.message('http2_protocol_options');
  const c = common(cluster.message('common_http_protocol_options'));
  const streams = maxStreams(h2);
  return {
    protocol: h2 ? 'http2' : 'http1',
    ...c,
    ...(legacyMaxRequests !== undefined ? { maxRequestsPerConnection: legacyMaxRequests } : {}),
    ...(streams !== undefined ? { maxConcurrentStreams: streams } : {}),
  };
}
