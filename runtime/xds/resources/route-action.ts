/**
 * What a matched route does: forward to a cluster (`route`), redirect, or
 * answer directly. Forwarding carries the cluster choice (one cluster, weighted
 * clusters, or a header naming it), timeouts, retries, hashing, mirrors and rewrites.
 */
import { DataSource, decodeDataSource } from './data-source';
import { HashPolicy, decodeHashPolicy } from './hash-policy';
import { HeaderOperations, decodeHeaderOperations } from './header-operations';
import { PerFilterConfigs, decodePerFilterConfigs } from './filter-config';
import type { Message } from './private/reader';
import { runtimeFractionalPercent } from './private/percent';
import { re2Substitution } from './private/regex';
import { RetryPolicy, decodeRetryPolicy } from './retry-policy';
import { decodeRegexMatcher } from './string-matcher';
import type { PathMatch } from './route-match';

/** Envoy's route timeout when `timeout` is unset. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
/** Envoy's limit on direct response bodies when the route configuration sets none. */
export const DEFAULT_MAX_DIRECT_RESPONSE_BODY_BYTES = 4096;

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
  readonly headers: HeaderOperations;
  readonly filterConfigs: PerFilterConfigs;
  readonly hostRewrite?: string;
}

export type ClusterChoice =
  | { readonly kind: 'cluster'; readonly name: string }
  /** Weights are > 0 in total; `totalWeight` is their sum. */
  | { readonly kind: 'weighted'; readonly clusters: readonly WeightedCluster[]; readonly totalWeight: number }
  /** The cluster is named by a request header. */
  | { readonly kind: 'header'; readonly header: string };

export interface RequestMirror {
  readonly cluster: string;
  /** Share of requests mirrored, 0..1. @default 1 */
  readonly fraction: number;
  readonly traceSampled?: boolean;
}

/** A regex rewrite: `path.replace(pattern, substitution)` (pattern global, substitution in JavaScript's `$1` form). */
export interface RegexRewrite {
  readonly pattern: RegExp;
  readonly substitution: string;
}

export interface ForwardAction {
  readonly kind: 'forward';
  readonly cluster: ClusterChoice;
  /** Whole-request timeout; 0 disables it. @default 15000 */
  readonly timeoutMs: number;
  readonly idleTimeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly hashPolicies: readonly HashPolicy[];
  readonly mirrors: readonly RequestMirror[];
  readonly prefixRewrite?: string;
  readonly regexRewrite?: RegexRewrite;
  readonly hostRewrite?: { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'auto' } | { readonly kind: 'header'; readonly header: string };
  /** Status answered when the cluster does not exist. @default 503 */
  readonly clusterNotFoundStatus: 503 | 404 | 500;
  readonly maxStreamDurationMs?: number;
}

export type RedirectCode = 301 | 302 | 303 | 307 | 308;

export interface RedirectAction {
  readonly kind: 'redirect';
  readonly scheme?: string;
  readonly host?: string;
  readonly port?: number;
  readonly path?: { readonly kind: 'replace'; readonly value: string } | { readonly kind: 'prefix'; readonly value: string } | { readonly kind: 'regex'; readonly rewrite: RegexRewrite };
  /** @default 301 */
  readonly status: RedirectCode;
  readonly stripQuery: boolean;
}

export interface DirectResponseAction {
  readonly kind: 'directResponse';
  readonly status: number;
  readonly body?: Buffer;
}

export type RouteAction = ForwardAction | RedirectAction | DirectResponseAction;

const REDIRECT_CODES: Readonly<Record<string, RedirectCode>> = {
  MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308,
};
const REDIRECT_NAMES = Object.keys(REDIRECT_CODES) as (keyof typeof REDIRECT_CODES)[];

function decodeRegexRewrite(m: Message): RegexRewrite | undefined {
  const p = m.message('pattern', { required: true });
  const pattern = p ? decodeRegexMatcher(p, 'global') : undefined;
  const substitution = m.string('substitution') ?? '';
  return pattern ? { pattern, substitution: re2Substitution(substitution) } : undefined;
}

function decodeWeightedClusters(m: Message): ClusterChoice | undefined {
  m.unsupported(['runtime_key_prefix', 'header_name', 'random_value_specifier']);
  const clusters: WeightedCluster[] = [];
  let sum = 0;
  for (const c of m.messages('clusters', { minItems: 1 })) {
    c.unsupported(['cluster_header'], 'is not supported in weighted clusters');
    const name = c.string('name', { required: true });
    const weight = c.integer('weight') ?? 0;
    const headers = decodeHeaderOperations(c);
    const filterConfigs = decodePerFilterConfigs(c);
    const hostRewrite = c.string('host_rewrite_literal');
    sum += weight;
    if (name !== undefined) clusters.push({ name, weight, headers, filterConfigs, ...(hostRewrite ? { hostRewrite } : {}) });
  }
  const total = m.integer('total_weight', { min: 1 });
  if (total !== undefined && sum !== total) {
    m.error('total_weight', `weights must sum to total_weight ${total} (got ${sum}: ${clusters.map((c) => `${c.name}=${c.weight}`).join(', ')})`);
    return undefined;
  }
  if (sum === 0 && clusters.length > 0) {
    m.error('clusters', 'the sum of the weights must be greater than 0');
    return undefined;
  }
  if (sum > 0xffffffff) {
    m.error('clusters', `the sum of the weights must fit in 32 bits (got ${sum})`);
    return undefined;
  }
  return { kind: 'weighted', clusters, totalWeight: sum };
}

function decodeMirror(m: Message): RequestMirror | undefined {
  m.unsupported(['cluster_header', 'disable_shadow_host_suffix_append']);
  const cluster = m.string('cluster', { required: !m.has('cluster_header') });
  const runtime = m.message('runtime_fraction');
  const fraction = runtime ? runtimeFractionalPercent(runtime) : 1;
  const traceSampled = m.has('trace_sampled') ? m.bool('trace_sampled', true) : undefined;
  if (cluster === undefined) return undefined;
  return { cluster, fraction, ...(traceSampled !== undefined ? { traceSampled } : {}) };
}

/** Reads a `route.v3.RouteAction`; `pathMatch` is the route's, for rules that depend on it. */
export function decodeForwardAction(m: Message, pathMatch: PathMatch | undefined): ForwardAction | undefined {
  m.unsupported(['cluster_specifier_plugin', 'inline_cluster_specifier_plugin', 'metadata_match', 'host_rewrite_path_regex',
    'rate_limits', 'upgrade_configs', 'internal_redirect_policy', 'early_data_policy', 'path_rewrite_policy']);
  const which = m.oneof(['cluster', 'cluster_header', 'weighted_clusters', 'cluster_specifier_plugin', 'inline_cluster_specifier_plugin'] as const, { required: true });
  let cluster: ClusterChoice | undefined;
  if (which === 'cluster') {
    const name = m.string('cluster', { required: true });
    if (name !== undefined) cluster = { kind: 'cluster', name };
  } else if (which === 'cluster_header') {
    const header = m.string('cluster_header', { required: true });
    if (header !== undefined) cluster = { kind: 'header', header: header.toLowerCase() };
  } else if (which === 'weighted_clusters') {
    const w = m.message('weighted_clusters');
    cluster = w ? decodeWeightedClusters(w) : undefined;
  }
  const timeoutMs = m.duration('timeout') ?? DEFAULT_ROUTE_TIMEOUT_MS;
  const idleTimeoutMs = m.duration('idle_timeout');
  const retry = m.message('retry_policy');
  const retryPolicy = retry ? decodeRetryPolicy(retry) : undefined;
  const hashPolicies = m.messages('hash_policy').map(decodeHashPolicy).filter((h): h is HashPolicy => h !== undefined);
  const mirrors = m.messages('request_mirror_policies').map(decodeMirror).filter((x): x is RequestMirror => x !== undefined);
  const prefixRewrite = m.string('prefix_rewrite');
  const rr = m.message('regex_rewrite');
  const regexRewrite = rr ? decodeRegexRewrite(rr) : undefined;
  if (prefixRewrite !== undefined && rr) m.error('prefix_rewrite', 'cannot be set together with regex_rewrite');
  if (prefixRewrite !== undefined && pathMatch?.kind === 'regex') {
    m.error('prefix_rewrite', "cannot be used with a safe_regex match (use regex_rewrite, or a prefix or path match)");
  }
  const host = m.oneof(['host_rewrite_literal', 'auto_host_rewrite', 'host_rewrite_header', 'host_rewrite_path_regex'] as const);
  let hostRewrite: ForwardAction['hostRewrite'];
  if (host === 'host_rewrite_literal') {
    const value = m.string('host_rewrite_literal', { required: true });
    if (value !== undefined) hostRewrite = { kind: 'literal', value };
  } else if (host === 'auto_host_rewrite') {
    if (m.bool('auto_host_rewrite', false)) hostRewrite = { kind: 'auto' };
  } else if (host === 'host_rewrite_header') {
    const header = m.string('host_rewrite_header', { required: true });
    if (header !== undefined) hostRewrite = { kind: 'header', header: header.toLowerCase() };
  }
  const notFound = m.enumOf('cluster_not_found_response_code', ['SERVICE_UNAVAILABLE', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR'] as const, 'SERVICE_UNAVAILABLE');
  const msd = m.message('max_stream_duration');
  const maxStreamDurationMs = msd?.duration('max_stream_duration');
  if (!cluster) return undefined;
  return {
    kind: 'forward',
    cluster,
    timeoutMs,
    ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
    ...(retryPolicy ? { retryPolicy } : {}),
    hashPolicies,
    mirrors,
    ...(prefixRewrite !== undefined ? { prefixRewrite } : {}),
    ...(regexRewrite ? { regexRewrite } : {}),
    ...(hostRewrite ? { hostRewrite } : {}),
    clusterNotFoundStatus: notFound === 'NOT_FOUND' ? 404 : notFound === 'INTERNAL_SERVER_ERROR' ? 500 : 503,
    ...(maxStreamDurationMs !== undefined ? { maxStreamDurationMs } : {}),
  };
}

/** Reads a `route.v3.RedirectAction`. */
export function decodeRedirect(m: Message): RedirectAction {
  const schemeField = m.oneof(['https_redirect', 'scheme_redirect'] as const);
  const scheme = schemeField === 'https_redirect' ? (m.bool('https_redirect', false) ? 'https' : undefined) : m.string('scheme_redirect');
  const host = m.string('host_redirect');
  const port = m.integer('port_redirect', { max: 65535 });
  const pathField = m.oneof(['path_redirect', 'prefix_rewrite', 'regex_rewrite'] as const);
  let path: RedirectAction['path'];
  if (pathField === 'path_redirect') {
    const value = m.string('path_redirect') ?? '';
    path = { kind: 'replace', value };
  } else if (pathField === 'prefix_rewrite') {
    path = { kind: 'prefix', value: m.string('prefix_rewrite') ?? '' };
  } else if (pathField === 'regex_rewrite') {
    const rr = m.message('regex_rewrite');
    const rewrite = rr ? decodeRegexRewrite(rr) : undefined;
    if (rewrite) path = { kind: 'regex', rewrite };
  }
  const code = m.enumOf('response_code', REDIRECT_NAMES, 'MOVED_PERMANENTLY', ['MOVED_PERMANENTLY', 'FOUND', 'SEE_OTHER', 'TEMPORARY_REDIRECT', 'PERMANENT_REDIRECT']);
  return {
    kind: 'redirect',
    ...(scheme ? { scheme } : {}),
    ...(host ? { host } : {}),
    ...(port ? { port } : {}),
    ...(path ? { path } : {}),
    status: REDIRECT_CODES[code] ?? 301,
    stripQuery: m.bool('strip_query', false),
  };
}

/** Reads a `route.v3.DirectResponseAction`; bodies over `maxBodyBytes` are rejected, as Envoy does. */
export function decodeDirectResponse(m: Message, maxBodyBytes: number): DirectResponseAction | undefined {
  const status = m.integer('status', { min: 200, max: 599, required: true });
  const b = m.message('body');
  let body: DataSource | undefined;
  if (b) body = decodeDataSource(b, { allowFile: false });
  if (body?.kind === 'inline' && body.value.length > maxBodyBytes) {
    b?.error(undefined, `body is ${body.value.length} bytes, more than the limit of ${maxBodyBytes} (max_direct_response_body_size_bytes)`);
    return undefined;
  }
  if (status === undefined) return undefined;
  return { kind: 'directResponse', status, ...(body?.kind === 'inline' ? { body: body.value } : {}) };
}
