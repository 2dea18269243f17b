import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { IstioEgressListener, IstioIngressListener, SidecarSpec } from '../api/sidecar';
import { Sidecar } from '../istio';
import { compact, intInRange, portNumber } from './private/checks';
import { defaultName, pathOf } from './private/emit';

/** How a listener gets its traffic. */
export enum CaptureMode {
  /** The namespace/mesh default. */
  DEFAULT = 'DEFAULT',
  /** iptables redirection. */
  IPTABLES = 'IPTABLES',
  /** No capture: the app connects to the listener's `bind` address itself. */
  NONE = 'NONE',
}

/** What a sidecar does with traffic to hosts outside the registry. */
export enum OutboundTrafficMode {
  /** Only registry hosts (services, ServiceEntries) are reachable. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Unknown hosts are passed through. */
  ALLOW_ANY = 'ALLOW_ANY',
}

/** An outbound listener: which hosts can be reached (through which port and address). */
export interface EgressListenerOptions {
  /** Hosts, `<namespace>/<dnsName>`: `./*`, `istio-system/*`, `*\/api.example.com`. */
  readonly hosts: readonly string[];
  /** Port of the listener. @default - all ports of the hosts */
  readonly port?: { readonly number: number; readonly protocol?: string; readonly name?: string };
  /** Address to bind. @default - the capture address */
  readonly bind?: string;
  /** @default CaptureMode.DEFAULT */
  readonly captureMode?: CaptureMode;
}

/** An inbound listener: a port the workload serves and where to forward it. */
export interface IngressListenerOptions {
  /** Port of the listener. */
  readonly port: { readonly number: number; readonly protocol: string; readonly name: string };
  /** Where the app listens: `127.0.0.1:PORT`, `0.0.0.0:PORT` or `unix://...`. @default - the matching container port */
  readonly defaultEndpoint?: string;
  /** Address to bind. @default - the pod address */
  readonly bind?: string;
  /** @default CaptureMode.DEFAULT */
  readonly captureMode?: CaptureMode;
}

/** Props of `SidecarScope`. */
export interface SidecarScopeProps {
  /** Namespace the Sidecar lives in (and applies to). */
  readonly namespace: string;
  /** Workloads it applies to, by labels. @default - every workload of the namespace */
  readonly selector?: { readonly [key: string]: string };
  /**
   * Hosts reachable through a catch-all egress listener. Add listeners with `addEgress` for more.
   * @default ['./*', 'istio-system/*'] when no egress listener is added
   */
  readonly egressHosts?: readonly string[];
  /** @default - the mesh setting (ALLOW_ANY) */
  readonly outboundTrafficPolicy?: OutboundTrafficMode;
  /** Name of the Sidecar. @default - the construct id, lower-cased */
  readonly name?: string;
}

/** The egress hosts of a Sidecar with no listener given: its own namespace and the control plane's. */
export const DEFAULT_EGRESS_HOSTS: readonly string[] = ['./*', 'istio-system/*'];

const EGRESS_HOST = /^(\*|\.|~|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(\*|(\*\.)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*)$/;

/**
 * Narrows what a sidecar proxy sees (Istio's Sidecar): the hosts its workloads can
 * reach, the ports it accepts, and what happens to traffic to unknown hosts.
 */
export class SidecarScope extends Construct {
  private readonly props: SidecarScopeProps;
  private readonly egress: EgressListenerOptions[] = [];
  private readonly ingress: IngressListenerOptions[] = [];

  constructor(scope: Construct, id: string, props: SidecarScopeProps) {
    super(scope, id);
    this.props = props;
    new Sidecar(this, 'Sidecar', {
      metadata: compact({ name: props.name ?? defaultName(this), namespace: props.namespace }),
      spec: Lazy.any({ produce: () => this.render() }) as unknown as SidecarSpec,
    });
    this.node.addValidation({ validate: () => this.validateIntent().map((p) => `${pathOf(this)}: ${p}`) });
  }

  /** Adds an outbound listener. */
  public addEgress(listener: EgressListenerOptions): this {
    this.egress.push(listener);
    return this;
  }

  /** Adds an inbound listener. */
  public addIngress(listener: IngressListenerOptions): this {
    this.ingress.push(listener);
    return this;
  }

  private egressListeners(): EgressListenerOptions[] {
    const catchAll = this.props.egressHosts ?? (this.egress.length === 0 ? DEFAULT_EGRESS_HOSTS : undefined);
    return [...this.egress, ...(catchAll ? [{ hosts: catchAll }] : [])];
  }

  private render(): SidecarSpec {
    const p = this.props;
    return compact({
      workloadSelector: p.selector ? { labels: { ...p.selector } } : undefined,
      ingress: this.ingress.length > 0
        ? this.ingress.map((l) => compact({
          port: { ...l.port },
          bind: l.bind,
          captureMode: l.captureMode,
          defaultEndpoint: l.defaultEndpoint,
        }) as IstioIngressListener)
        : undefined,
      egress: this.egressListeners().map((l) => compact({
        port: l.port ? compact({ ...l.port }) : undefined,
        bind: l.bind,
        captureMode: l.captureMode,
        hosts: [...l.hosts],
      }) as IstioEgressListener),
      outboundTrafficPolicy: p.outboundTrafficPolicy ? { mode: p.outboundTrafficPolicy } : undefined,
    }) as SidecarSpec;
  }

  private validateIntent(): string[] {
    const problems: string[] = [];
    const listeners = this.egressListeners();
    listeners.forEach((l, i) => {
      if (l.hosts.length === 0) {
        problems.push(`egress[${i}].hosts must list at least one host (got none)`);
      }
      l.hosts.forEach((h, j) => {
        if (!EGRESS_HOST.test(h)) {
          problems.push(`egress[${i}].hosts[${j}] must be <namespace>/<dnsName> with namespace '*', '.', '~' or a name (got ${JSON.stringify(h)})`);
        }
      });
      problems.push(...intInRange(`egress[${i}].port.number`, l.port?.number, 0, 65535));
      if (l.captureMode === CaptureMode.NONE && l.bind === undefined && l.port !== undefined) {
        problems.push(`egress[${i}].bind is needed with captureMode NONE (got none)`);
      }
    });
    const catchAllCount = listeners.filter((l) => l.port === undefined).length;
    if (catchAllCount > 1) {
      problems.push(`egress may have one listener without a port (got ${catchAllCount}); give the others a port`);
    }
    this.ingress.forEach((l, i) => {
      problems.push(...portNumber(`ingress[${i}].port.number`, l.port.number));
      if (l.defaultEndpoint !== undefined && !/^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):\d+$|^unix:\/\//.test(l.defaultEndpoint)) {
        problems.push(`ingress[${i}].defaultEndpoint must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix://... (got ${JSON.stringify(l.defaultEndpoint)})`);
      }
      if (l.captureMode === CaptureMode.NONE && l.bind === undefined) {
        problems.push(`ingress[${i}].bind is needed with captureMode NONE (got none)`);
      }
    });
    return problems;
  }
}
