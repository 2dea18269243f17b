/**
 * The endpoint-only path: when everything that changed between two config
 * snapshots is endpoints (EndpointSlices, Endpoints, Pods, WorkloadEntries)
 * and only the endpoint lists of EDS services moved, a proxy's listeners,
 * route configurations and clusters are what they were, and only its load
 * assignments need computing again. Cases where endpoints reach further are
 * left to the full translation: auto mTLS (transport sockets follow the
 * endpoints' sidecars and service accounts), non-EDS services (STATIC and DNS
 * clusters hold their endpoints), and proxies whose own address is among the
 * moved endpoints (their inbound listeners follow the services they back).
 */
import type { ConfigSnapshot } from '../../config/config-snapshot';
import { RegistryService, ServiceRegistry } from '../../config/service-registry';
import type { PlainMessage } from './envoy';
import { GRPC_GENERATOR } from './grpc';
import { MeshIndex, TranslateOptions } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { sharedEndpoints } from './shared-outbound';
import { sidecarScope } from './sidecar-scope';

/** Kinds whose objects shape only service endpoints. */
export const ENDPOINT_ONLY_KINDS: ReadonlySet<string> = new Set(['EndpointSlice', 'Endpoints', 'Pod', 'WorkloadEntry']);

/** What moved between two snapshots, when only endpoints of EDS services did. */
interface EndpointDelta {
  /** Addresses of the moved endpoints, before and after. */
  readonly addresses: ReadonlySet<string>;
}

const DELTAS = new WeakMap<MeshIndex, WeakMap<MeshIndex, EndpointDelta | 'full'>>();

function withoutEndpoints(s: RegistryService): string {
  return JSON.stringify({ ...s, endpoints: undefined });
}

function computeDelta(before: MeshIndex, after: MeshIndex): EndpointDelta | 'full' {
  if (after.mtlsTrustDomain !== undefined || before.optionsKey !== after.optionsKey) return 'full';
  const a = before.snapshot;
  const b = after.snapshot;
  for (const key of b.keys()) {
    const o = b.byKeyOf(key);
    if (o !== a.byKeyOf(key) && !ENDPOINT_ONLY_KINDS.has(o?.kind ?? '')) return 'full';
  }
  for (const key of a.keys()) {
    const o = a.byKeyOf(key);
    if (b.byKeyOf(key) === undefined && !ENDPOINT_ONLY_KINDS.has(o?.kind ?? '')) return 'full';
  }
  const old = before.registry.all();
  const now = after.registry.all();
  if (old.length !== now.length) return 'full';
  const addresses = new Set<string>();
  for (let i = 0; i < now.length; i++) {
    const x = old[i] as RegistryService;
    const y = now[i] as RegistryService;
    if (JSON.stringify(x.endpoints) === JSON.stringify(y.endpoints)) continue;
    if (y.resolution !== 'EDS' || withoutEndpoints(x) !== withoutEndpoints(y)) return 'full';
    for (const e of [...x.endpoints, ...y.endpoints]) addresses.add(e.address);
  }
  return { addresses };
}

function deltaOf(before: MeshIndex, after: MeshIndex): EndpointDelta | 'full' {
  let byBefore = DELTAS.get(after);
  if (!byBefore) DELTAS.set(after, (byBefore = new WeakMap()));
  let delta = byBefore.get(before);
  if (delta === undefined) byBefore.set(before, (delta = computeDelta(before, after)));
  return delta;
}

/**
 * The load assignments of `proxy` under `after`, when going from `before` to
 * `after` changes nothing else of its resources (see above); `undefined` when
 * it needs the full translation. The list is shared with the proxy's class.
 */
export function endpointsOnlyTranslation(
  before: ConfigSnapshot,
  after: ConfigSnapshot,
  proxy: ProxyIdentity,
  options: TranslateOptions = {},
): readonly PlainMessage[] | undefined {
  if (proxy.generator === GRPC_GENERATOR) return undefined;
  const indexBefore = MeshIndex.of(before, options);
  const index = MeshIndex.of(after, options);
  const delta = deltaOf(indexBefore, index);
  if (delta === 'full' || delta.addresses.has(proxy.ip)) return undefined;
  const services = proxy.type === 'router'
    ? index.memo(`router-services|${proxy.namespace}`, () => index.registry.all().filter((s) => ServiceRegistry.visibleFrom(s, proxy.namespace)))
    : sidecarScope(index, proxy).services;
  return sharedEndpoints(index, proxy, services);
}
