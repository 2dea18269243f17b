import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { ServiceEntrySpec, ServicePort } from '../api/service-entry';
import type { HTTPRoute, VirtualServiceSpec } from '../api/virtual-service';
import type { WorkloadEntrySpec } from '../api/workload-entry';
import { ServiceEntry, VirtualService } from '../istio';
import { compact, DNS1123_LABEL, intInRange, nonEmpty, portNumber, within } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';
import { defaultName, optionalResources, pathOf } from './private/emit';
import { Retry } from './retry-policy';

/** Protocols of a ServiceEntry port. */
export type ExternalProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'HTTP2' | 'MONGO' | 'TCP' | 'TLS';

/** One port of an external service. */
export interface ExternalPort {
  /** Port number. */
  readonly number: number;
  /** Protocol. */
  readonly protocol: ExternalProtocol;
  /**
   * Port name.
   * @default `<protocol lower-cased>-<number>`, e.g. `https-443`
   */
  readonly name?: string;
  /**
   * Port on the endpoints.
   * @default - the same as `number`
   */
  readonly targetPort?: number;
}

/** Whether the service belongs to the mesh. */
export enum ServiceLocation {
  /** Outside the mesh (an API on the internet): no mTLS towards it. */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh (VMs with sidecars, for instance). */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/** How endpoint addresses are found. */
export enum ServiceResolution {
  /** Use the address the caller connected to. */
  NONE = 'NONE',
  /** Use the IP addresses given in `endpoints`. */
  STATIC = 'STATIC',
  /** Resolve the hosts (or endpoint names) through DNS, all addresses. */
  DNS = 'DNS',
  /** Resolve through DNS, using the first address only. */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
}

/** One endpoint of an external service. */
export interface ExternalEndpoint {
  /** IP address or DNS name. */
  readonly address: string;
  /** Port name to port number on this endpoint. @default - the service ports */
  readonly ports?: { readonly [portName: string]: number };
  /** Labels of the endpoint. @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** Network, for multi-network meshes. @default - the local network */
  readonly network?: string;
  /** Locality, `region/zone/subzone`. @default - none */
  readonly locality?: string;
  /** Load-balancing weight. @default - equal weights */
  readonly weight?: number;
}

/** Props of `ExternalService`. */
export interface ExternalServiceProps {
  /** Host names, e.g. `httpbin.org`; a leading `*.` wildcard is allowed. */
  readonly hosts: readonly string[];
  /** Ports. */
  readonly ports: readonly ExternalPort[];
  /** @default ServiceLocation.MESH_EXTERNAL */
  readonly location?: ServiceLocation;
  /** @default ServiceResolution.DNS, or NONE when a host is a wildcard */
  readonly resolution?: ServiceResolution;
  /** Endpoints (needed for STATIC). @default - the hosts themselves */
  readonly endpoints?: readonly ExternalEndpoint[];
  /** Virtual IPs or CIDRs of the service. @default - none */
  readonly addresses?: readonly string[];
  /** Namespace of the resources. @default - the chart's namespace */
  readonly namespace?: string;
  /** Name of the resources. @default - the construct id, lower-cased */
  readonly name?: string;
  /** Namespaces the resources are visible to. @default - all */
  readonly exportTo?: readonly string[];
  /**
   * Timeout of requests to the service; emits a VirtualService for its hosts.
   * @default - no timeout
   */
  readonly timeout?: Duration;
  /**
   * Retry policy of requests to the service; emits a VirtualService for its hosts.
   * @default - Istio's default
   */
  readonly retries?: Retry;
}

const HTTP_PROTOCOLS: readonly ExternalProtocol[] = ['HTTP', 'HTTP2', 'GRPC'];

/**
 * A service outside the mesh registry (Istio's ServiceEntry), with an optional
 * VirtualService when a timeout or retry policy is given.
 *
 * @example
 * new ExternalService(chart, 'httpbin', {
 *   hosts: ['httpbin.org'], ports: [{ number: 80, protocol: 'HTTP' }], timeout: Duration.seconds(3),
 * });
 */
export class ExternalService extends Construct {
  /** Hosts of the service. */
  public readonly hosts: readonly string[];
  private readonly props: ExternalServiceProps;
  private timeout: Duration | undefined;
  private retries: Retry | undefined;
  private readonly sync: () => void;

  constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    this.props = props;
    this.hosts = [...props.hosts];
    this.timeout = props.timeout;
    this.retries = props.retries;
    const metadata = compact({ name: props.name ?? defaultName(this), namespace: props.namespace });
    new ServiceEntry(this, 'ServiceEntry', {
      metadata,
      spec: Lazy.any({ produce: () => this.renderServiceEntry() }) as unknown as ServiceEntrySpec,
    });
    this.node.addValidation({ validate: () => this.validateIntent().map((p) => `${pathOf(this)}: ${p}`) });
    this.sync = optionalResources(this, [{
      id: 'VirtualService',
      needed: () => this.timeout !== undefined || this.retries !== undefined,
      create: (s, vid) => new VirtualService(s, vid, {
        metadata,
        spec: Lazy.any({ produce: () => this.renderVirtualService() }) as unknown as VirtualServiceSpec,
      }),
    }]);
  }

  /** Sets the request timeout (emits the VirtualService). */
  public setTimeout(timeout: Duration): this {
    this.timeout = timeout;
    this.sync();
    return this;
  }

  /** Sets the retry policy (emits the VirtualService). */
  public setRetries(retries: Retry): this {
    this.retries = retries;
    this.sync();
    return this;
  }

  private resolution(): ServiceResolution {
    return this.props.resolution ?? (this.hosts.some((h) => h.startsWith('*')) ? ServiceResolution.NONE : ServiceResolution.DNS);
  }

  private renderServiceEntry(): ServiceEntrySpec {
    const p = this.props;
    return compact({
      hosts: [...this.hosts],
      addresses: p.addresses ? [...p.addresses] : undefined,
      ports: p.ports.map((port) => compact({
        number: port.number,
        protocol: port.protocol,
        name: port.name ?? `${port.protocol.toLowerCase()}-${port.number}`,
        targetPort: port.targetPort,
      }) as ServicePort),
      location: p.location ?? ServiceLocation.MESH_EXTERNAL,
      resolution: this.resolution(),
      endpoints: p.endpoints
        ? p.endpoints.map((e) => compact({
          address: e.address,
          ports: e.ports ? { ...e.ports } : undefined,
          labels: e.labels ? { ...e.labels } : undefined,
          network: e.network,
          locality: e.locality,
          weight: e.weight,
        }) as WorkloadEntrySpec)
        : undefined,
      exportTo: p.exportTo ? [...p.exportTo] : undefined,
    }) as ServiceEntrySpec;
  }

  private renderVirtualService(): VirtualServiceSpec {
    const hosts = this.hosts.filter((h) => !h.startsWith('*'));
    const http: HTTPRoute[] = hosts.map((host) => compact({
      match: hosts.length > 1 ? [{ authority: { exact: host } }] : undefined,
      route: [{ destination: { host }, weight: 100 }],
      timeout: this.timeout ? istioDuration(this.timeout) : undefined,
      retries: this.retries?._render(),
    }) as HTTPRoute);
    return compact({
      hosts,
      http,
      exportTo: this.props.exportTo ? [...this.props.exportTo] : undefined,
    }) as VirtualServiceSpec;
  }

  private validateIntent(): string[] {
    const p = this.props;
    const problems: string[] = [];
    if (this.hosts.length === 0) {
      problems.push('hosts must list at least one host (got none)');
    }
    this.hosts.forEach((h, i) => {
      if (!/^(\*\.)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/.test(h) && h !== '*') {
        problems.push(`hosts[${i}] must be a DNS name, optionally with a leading '*.' (got ${JSON.stringify(h)})`);
      }
    });
    if (p.ports.length === 0) {
      problems.push('ports must list at least one port (got none)');
    }
    const names = new Set<string>();
    p.ports.forEach((port, i) => {
      problems.push(...portNumber(`ports[${i}].number`, port.number), ...portNumber(`ports[${i}].targetPort`, port.targetPort));
      const name = port.name ?? `${port.protocol.toLowerCase()}-${port.number}`;
      if (!DNS1123_LABEL.test(name)) {
        problems.push(`ports[${i}].name must be a DNS-1123 label (got ${JSON.stringify(name)})`);
      }
      if (names.has(name)) {
        problems.push(`ports[${i}].name ${JSON.stringify(name)} is used twice (expected unique port names)`);
      }
      names.add(name);
    });
    const resolution = this.resolution();
    if (resolution === ServiceResolution.STATIC && (p.endpoints ?? []).length === 0) {
      problems.push('endpoints must list at least one endpoint with resolution STATIC (got none)');
    }
    if (resolution === ServiceResolution.STATIC) {
      (p.endpoints ?? []).forEach((e, i) => {
        if (!isIp(e.address) && !e.address.startsWith('unix://')) {
          problems.push(`endpoints[${i}].address must be an IP address with resolution STATIC (got ${JSON.stringify(e.address)})`);
        }
      });
    }
    if ((resolution === ServiceResolution.DNS || resolution === ServiceResolution.DNS_ROUND_ROBIN)
      && this.hosts.some((h) => h.startsWith('*')) && (p.endpoints ?? []).length === 0) {
      problems.push(`resolution ${resolution} needs endpoints when a host is a wildcard (got none)`);
    }
    (p.endpoints ?? []).forEach((e, i) => {
      problems.push(...nonEmpty(`endpoints[${i}].address`, e.address));
      problems.push(...intInRange(`endpoints[${i}].weight`, e.weight, 0, 4294967295));
      for (const [n, v] of Object.entries(e.ports ?? {})) {
        problems.push(...portNumber(`endpoints[${i}].ports.${n}`, v));
      }
    });
    if (this.timeout !== undefined || this.retries !== undefined) {
      if (!p.ports.some((port) => HTTP_PROTOCOLS.includes(port.protocol))) {
        problems.push(`timeout and retries need an HTTP, HTTP2 or GRPC port (got ${p.ports.map((x) => x.protocol).join(', ') || 'none'}); Istio applies them to HTTP routes only`);
      }
      if (this.hosts.every((h) => h.startsWith('*'))) {
        problems.push('timeout and retries need a host without wildcard (got only wildcard hosts)');
      }
      problems.push(...durationProblems('timeout', this.timeout));
      if (this.retries) problems.push(...within('retries', this.retries._validate()));
    }
    return problems;
  }
}

function isIp(s: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}
