/**
 * EDS: `envoy.config.endpoint.v3.ClusterLoadAssignment` → {@link ClusterLoadAssignment}:
 * a cluster's endpoints grouped by locality and priority, each with its health
 * and weight. Also the `load_assignment` of STATIC and DNS clusters.
 */
import { Address, decodeAddress } from './address';
import { Issues, Message } from './private/reader';
import { fractionalPercent } from './private/percent';
import { Result, fail, ok } from './result';

export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';
const HEALTH: readonly HealthStatus[] = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'];

/** Metadata namespace holding an endpoint's labels (Envoy's subset load balancer reads it). */
export const LB_METADATA_NAMESPACE = 'envoy.lb';

export interface Locality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

export interface Endpoint {
  readonly address: Address;
  readonly hostname?: string;
  /** @default 'UNKNOWN' (treated as healthy) */
  readonly healthStatus: HealthStatus;
  /** @default 1 */
  readonly weight: number;
  /** Filter metadata by namespace. */
  readonly metadata: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The string values of the `envoy.lb` metadata namespace. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface LocalityEndpoints {
  readonly locality: Locality;
  readonly endpoints: readonly Endpoint[];
  /** Locality weight (locality-weighted balancing); undefined when unset. */
  readonly weight?: number;
  /** 0 is the highest priority. @default 0 */
  readonly priority: number;
}

export interface DropOverload {
  readonly category: string;
  /** Share of requests dropped, 0..1. */
  readonly fraction: number;
}

export interface ClusterLoadAssignment {
  readonly clusterName: string;
  readonly localities: readonly LocalityEndpoints[];
  readonly dropOverloads: readonly DropOverload[];
  /** Percent; hosts of a priority are considered available up to this factor. @default 140 */
  readonly overprovisioningFactor: number;
}

export interface LoadAssignmentOptions {
  /** Endpoint addresses must be IP literals (EDS, STATIC); DNS clusters give host names. @default true */
  readonly ipOnly?: boolean;
  /** Require `cluster_name`. @default true */
  readonly requireName?: boolean;
}

const MAX_PRIORITY = 128;
export const DEFAULT_OVERPROVISIONING_FACTOR = 140;

function decodeMetadata(m: Message | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (!m) return out;
  const raw = m.raw('filter_metadata');
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    m.error('filter_metadata', 'expected a map of namespaces to objects');
    return out;
  }
  for (const [ns, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) out[ns] = { ...(value as Record<string, unknown>) };
    else m.issues.add(`${m.at('filter_metadata')}[${ns}]`, 'expected an object');
  }
  return out;
}

function decodeEndpoint(m: Message, options: LoadAssignmentOptions): Endpoint | undefined {
  m.unsupported(['endpoint_name'], 'named endpoints are not supported');
  const e = m.message('endpoint', { required: !m.has('endpoint_name') });
  e?.unsupported(['additional_addresses']);
  const a = e?.message('address', { required: true });
  const address = a ? decodeAddress(a, { ipOnly: options.ipOnly ?? true }) : undefined;
  const hostname = e?.string('hostname');
  const healthStatus = m.enumOf('health_status', HEALTH, 'UNKNOWN');
  const weight = m.integer('load_balancing_weight', { min: 1 }) ?? 1;
  const metadata = decodeMetadata(m.message('metadata'));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata[LB_METADATA_NAMESPACE] ?? {})) if (typeof v === 'string') labels[k] = v;
  if (!address) return undefined;
  return { address, ...(hostname ? { hostname } : {}), healthStatus, weight, metadata, labels };
}

function decodeLocality(m: Message | undefined): Locality {
  return { region: m?.string('region') ?? '', zone: m?.string('zone') ?? '', subZone: m?.string('sub_zone') ?? '' };
}

/** Reads a ClusterLoadAssignment message. */
export function readClusterLoadAssignment(m: Message, options: LoadAssignmentOptions = {}): ClusterLoadAssignment | undefined {
  m.unsupported(['named_endpoints']);
  const clusterName = m.string('cluster_name', { required: options.requireName ?? true }) ?? '';
  const seen = new Map<string, string>();
  const localities: LocalityEndpoints[] = [];
  for (const l of m.messages('endpoints')) {
    l.unsupported(['leds_cluster_locality_config'], 'is not supported (give lb_endpoints)');
    const locality = decodeLocality(l.message('locality'));
    const validPriority = l.integer('priority', { max: MAX_PRIORITY });
    const priority = validPriority ?? 0;
    const weight = l.integer('load_balancing_weight', { min: 1 });
    const key = `${priority}/${locality.region}/${locality.zone}/${locality.subZone}`;
    const first = seen.get(key);
    if (first !== undefined) l.error('locality', `duplicate locality in priority ${priority} (also ${first})`);
    else if (validPriority !== undefined || !l.has('priority')) seen.set(key, l.path);
    const endpoints = l.messages('lb_endpoints').map((e) => decodeEndpoint(e, options)).filter((e): e is Endpoint => e !== undefined);
    localities.push({ locality, endpoints, ...(weight !== undefined ? { weight } : {}), priority });
  }
  const policy = m.message('policy');
  const dropOverloads: DropOverload[] = [];
  for (const d of policy?.messages('drop_overloads') ?? []) {
    const category = d.string('category', { required: true });
    const p = d.message('drop_percentage');
    const fraction = p ? fractionalPercent(p) : 0;
    if (category !== undefined) dropOverloads.push({ category, fraction });
  }
  const overprovisioningFactor = policy?.integer('overprovisioning_factor', { min: 1 }) ?? DEFAULT_OVERPROVISIONING_FACTOR;
  return { clusterName, localities, dropOverloads, overprovisioningFactor };
}

/** Decodes and validates an `envoy.config.endpoint.v3.ClusterLoadAssignment` (endpoints must be IP addresses). */
export function decodeClusterLoadAssignment(plain: unknown): Result<ClusterLoadAssignment> {
  const issues = new Issues();
  const m = Message.root(plain, issues);
  const value = m ? readClusterLoadAssignment(m) : undefined;
  return issues.empty && value ? ok(value) : fail(issues.list);
}
