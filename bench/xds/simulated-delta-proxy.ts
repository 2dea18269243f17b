/**
 * One simulated sidecar on a delta (incremental) ADS stream, subscribing the
 * way Envoy does with delta xDS: CDS and LDS wildcard; EDS for the EDS
 * clusters it holds, RDS for the route names of the listeners it holds, and
 * VHDS for the names of the route configurations that take their virtual
 * hosts over VHDS, each changed by subscribe/unsubscribe lists. A response adds or replaces
 * the resources it carries and removes those it names as removed; every
 * response is ACKed with its nonce alone (no names), which is what makes
 * delta cheaper than state of the world for thousands of subscribed names.
 */
import { CDS, EDS, LDS, now, ProxySimulation, RDS, SHORT, SHORT_TYPES, SimulatedProxyProps, VHDS } from './simulated-proxy';
import {
  clusterEdsName, DeltaResponseSummary, encodeDeltaRequest, listenerRouteNames, readDeltaResponse, routeConfigUsesVhds,
} from './wire';

export const DELTA_ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

export class SimulatedDeltaProxy extends ProxySimulation {
  /** Cluster name → the load assignment it fetches (undefined: not EDS). */
  private clusters = new Map<string, string | undefined>();
  /** Listener name → the route configurations it fetches. */
  private listeners = new Map<string, ReadonlySet<string>>();
  /** Route configuration name → whether it takes its virtual hosts over VHDS. */
  private routes = new Map<string, boolean>();
  private subscribed = { [EDS]: new Set<string>(), [RDS]: new Set<string>(), [VHDS]: new Set<string>() };
  private acked = new Set<string>();
  private requestedLds = false;

  public constructor(props: SimulatedProxyProps) {
    super(props, DELTA_ADS_METHOD);
  }

  protected reset(): void {
    this.clusters = new Map();
    this.listeners = new Map();
    this.routes = new Map();
    this.subscribed = { [EDS]: new Set(), [RDS]: new Set(), [VHDS]: new Set() };
    this.acked = new Set();
    this.requestedLds = false;
  }

  /** Subscribes to every cluster. */
  protected firstRequest(): void {
    this.send(CDS, {});
  }

  private send(typeUrl: string, change: { subscribe?: readonly string[]; unsubscribe?: readonly string[]; nonce?: string }): void {
    this.write((node) =>
      encodeDeltaRequest({
        ...(node ? { node } : {}),
        typeUrl,
        ...(change.subscribe ? { subscribe: change.subscribe } : {}),
        ...(change.unsubscribe ? { unsubscribe: change.unsubscribe } : {}),
        ...(change.nonce ? { responseNonce: change.nonce } : {}),
      }),
    );
  }

  protected onResponse(buf: Buffer): void {
    const response = readDeltaResponse(buf);
    this.responses += 1;
    this.bytes += response.bytes;
    const typeUrl = response.typeUrl;
    if (typeUrl === CDS) this.onClusters(buf, response);
    else if (typeUrl === LDS) this.onListeners(buf, response);
    else if (typeUrl === RDS) this.onRoutes(buf, response);
    else this.send(typeUrl, { nonce: response.nonce });
    if (typeUrl === EDS && !this.requestedLds) {
      this.requestedLds = true;
      this.send(LDS, {});
    }
    this.recordAck(typeUrl);
  }

  private onClusters(buf: Buffer, response: DeltaResponseSummary): void {
    for (const name of response.removed) this.clusters.delete(name);
    for (const r of response.resources) this.clusters.set(r.name, clusterEdsName(buf, r.value));
    this.send(CDS, { nonce: response.nonce });
    const wanted = new Set<string>();
    for (const eds of this.clusters.values()) if (eds !== undefined) wanted.add(eds);
    const changed = this.follow(EDS, wanted);
    if (!changed && wanted.size === 0 && !this.requestedLds) {
      this.acked.add(EDS);
      this.requestedLds = true;
      this.send(LDS, {});
    }
  }

  private onListeners(buf: Buffer, response: DeltaResponseSummary): void {
    for (const name of response.removed) this.listeners.delete(name);
    for (const r of response.resources) {
      const names = new Set<string>();
      listenerRouteNames(buf, r.value, names);
      this.listeners.set(r.name, names);
    }
    this.send(LDS, { nonce: response.nonce });
    const wanted = new Set<string>();
    for (const names of this.listeners.values()) for (const n of names) wanted.add(n);
    if (!this.follow(RDS, wanted) && wanted.size === 0) this.acked.add(RDS);
  }

  private onRoutes(buf: Buffer, response: DeltaResponseSummary): void {
    for (const name of response.removed) this.routes.delete(name);
    for (const r of response.resources) this.routes.set(r.name, routeConfigUsesVhds(buf, r.value));
    this.send(RDS, { nonce: response.nonce });
    const wanted = new Set<string>();
    for (const [name, vhds] of this.routes) if (vhds) wanted.add(name);
    if (!this.follow(VHDS, wanted) && wanted.size === 0) this.acked.add(VHDS);
  }

  /** Subscribes to what `wanted` adds and unsubscribes from what it drops; whether anything changed. */
  private follow(typeUrl: typeof EDS | typeof RDS | typeof VHDS, wanted: ReadonlySet<string>): boolean {
    const current = this.subscribed[typeUrl];
    const subscribe = [...wanted].filter((n) => !current.has(n));
    const unsubscribe = [...current].filter((n) => !wanted.has(n));
    if (subscribe.length === 0 && unsubscribe.length === 0) return false;
    this.subscribed[typeUrl] = new Set(wanted);
    this.send(typeUrl, { subscribe, unsubscribe });
    return true;
  }

  private recordAck(typeUrl: string): void {
    const at = now();
    this.acked.add(typeUrl);
    if (this.mark) {
      const short = SHORT[typeUrl];
      if (short) this.mark.pushes[short] += 1;
      this.mark.lastAckAt = at;
    }
    if (this.initializedAt === 0 && SHORT_TYPES.every((t) => this.acked.has(typeUrlOf(t)))) {
      this.initializedAt = at;
      this.props.onInitialized(this);
    }
  }
}

function typeUrlOf(short: (typeof SHORT_TYPES)[number]): string {
  return { CDS, EDS, LDS, RDS, VHDS }[short];
}
