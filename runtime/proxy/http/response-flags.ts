/**
 * The one table mapping proxy failures to what the downstream client receives and
 * to Envoy's response flags (as `%RESPONSE_FLAGS%` prints them). Every stage
 * reports a failure by its {@link ProxyFailure} name; nothing else picks statuses
 * or flags for failures.
 */

/** Envoy response flags as bits, so an exchange carries them in one number. */
export const ResponseFlag = {
  /** No route configured for the request (404). */
  NR: 1 << 0,
  /** No healthy upstream host (503). */
  UH: 1 << 1,
  /** Upstream connection failure (503). */
  UF: 1 << 2,
  /** Upstream overflow: circuit breaking or pending-queue limit (503). */
  UO: 1 << 3,
  /** Upstream connection termination before a complete response (503). */
  UC: 1 << 4,
  /** Upstream retry limit exceeded (503). */
  URX: 1 << 5,
  /** Upstream request timeout (504). */
  UT: 1 << 6,
  /** Downstream connection termination before the exchange completed. */
  DC: 1 << 7,
  /** Downstream protocol error: malformed request, smuggling attempt (400/431). */
  DPE: 1 << 8,
  /** Downstream request (headers) timeout (408). */
  DT: 1 << 9,
  /** Request delayed by fault injection. */
  DI: 1 << 10,
  /** Request aborted by fault injection. */
  FI: 1 << 11,
  /** Upstream protocol error: malformed response (503). */
  UPE: 1 << 12,
  /** The route named a cluster that does not exist (503 by default). */
  NC: 1 << 13,
  /** Upstream remote reset: the upstream reset the HTTP/2 stream (503). */
  UR: 1 << 14,
} as const;
export type ResponseFlagName = keyof typeof ResponseFlag;

const FLAG_NAMES = Object.keys(ResponseFlag) as ResponseFlagName[];

/** `%RESPONSE_FLAGS%` text for a flag set: names joined by `,`, or `-` when none. */
export function formatResponseFlags(mask: number): string {
  if (mask === 0) return '-';
  let out = '';
  for (const name of FLAG_NAMES) {
    if ((mask & ResponseFlag[name]) !== 0) out = out === '' ? name : `${out},${name}`;
  }
  return out;
}

/** Every failure a stage can report. */
export type ProxyFailure =
  | 'no-route'
  | 'no-healthy-upstream'
  | 'cluster-not-found'
  | 'upstream-overflow'
  | 'upstream-connect-failure'
  | 'upstream-connect-timeout'
  | 'upstream-connection-termination'
  | 'upstream-remote-reset'
  | 'upstream-protocol-error'
  | 'upstream-retry-limit'
  | 'upstream-request-timeout'
  | 'downstream-disconnect'
  | 'downstream-protocol-error'
  | 'request-headers-too-large'
  | 'request-headers-timeout'
  | 'upgrade-rejected';

/** What a failure turns into. */
export interface FailureResponse {
  /** Status sent downstream; 0 when nothing can be sent (client gone). */
  readonly status: number;
  readonly flag: number;
  /** Plain-text body, as Envoy words it. */
  readonly body: string;
  /** Envoy's `%RESPONSE_CODE_DETAILS%` for the access log. */
  readonly details: string;
  /** Close the downstream connection after responding. */
  readonly close: boolean;
}

const resetBody = (reason: string): string =>
  `upstream connect error or disconnect/reset before headers. reset reason: ${reason}`;

export const FAILURES: { readonly [K in ProxyFailure]: FailureResponse } = {
  'no-route': { status: 404, flag: ResponseFlag.NR, body: '', details: 'route_not_found', close: false },
  'no-healthy-upstream': { status: 503, flag: ResponseFlag.UH, body: 'no healthy upstream', details: 'no_healthy_upstream', close: false },
  'cluster-not-found': { status: 503, flag: ResponseFlag.NC, body: '', details: 'cluster_not_found', close: false },
  'upstream-overflow': { status: 503, flag: ResponseFlag.UO, body: resetBody('overflow'), details: 'upstream_reset_before_response_started{overflow}', close: false },
  'upstream-connect-failure': { status: 503, flag: ResponseFlag.UF, body: resetBody('connection failure'), details: 'upstream_reset_before_response_started{connection_failure}', close: false },
  'upstream-connect-timeout': { status: 503, flag: ResponseFlag.UF, body: resetBody('connection timeout'), details: 'upstream_reset_before_response_started{connection_timeout}', close: false },
  'upstream-connection-termination': { status: 503, flag: ResponseFlag.UC, body: resetBody('connection termination'), details: 'upstream_reset_before_response_started{connection_termination}', close: false },
  'upstream-remote-reset': { status: 503, flag: ResponseFlag.UR, body: resetBody('remote reset'), details: 'upstream_reset_before_response_started{remote_reset}', close: false },
  'upstream-protocol-error': { status: 503, flag: ResponseFlag.UPE, body: resetBody('protocol error'), details: 'upstream_reset_before_response_started{protocol_error}', close: false },
  'upstream-retry-limit': { status: 503, flag: ResponseFlag.URX, body: resetBody('retry limit exceeded'), details: 'upstream_reset_before_response_started{retry_limit_exceeded}', close: false },
  'upstream-request-timeout': { status: 504, flag: ResponseFlag.UT, body: 'upstream request timeout', details: 'upstream_response_timeout', close: false },
  'downstream-disconnect': { status: 0, flag: ResponseFlag.DC, body: '', details: 'downstream_remote_disconnect', close: true },
  'downstream-protocol-error': { status: 400, flag: ResponseFlag.DPE, body: 'Bad Request', details: 'http1.codec_error', close: true },
  'request-headers-too-large': { status: 431, flag: ResponseFlag.DPE, body: 'Request Header Fields Too Large', details: 'http1.headers_too_large', close: true },
  'request-headers-timeout': { status: 408, flag: ResponseFlag.DT, body: 'request timeout', details: 'request_header_timeout', close: true },
  'upgrade-rejected': { status: 403, flag: 0, body: 'Upgrade not allowed', details: 'upgrade_failed', close: true },
};

const REASONS: { readonly [status: number]: string } = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content',
  206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict',
  413: 'Content Too Large', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Standard reason phrase for a status, `Unknown` when not listed. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}
