import type { Server } from '../api/gateway';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { WellKnownPorts } from '../control-plane/ports';
import { Gateway } from '../istio';
import type { IMesh } from '../mesh';
import { CANONICAL_NAME_LABEL, CANONICAL_REVISION_LABEL } from '../workloads/mesh-service';
import { checkPortName } from '../workloads/private/port-name';
import { removeAddressLabel, removeEmptyExternalIps } from '../workloads/private/kplus-tidy';
import { PROXY_VOLUME_NAME, proxyContainer } from '../workloads/private/proxy-container';
import { checkDnsLabel, checkIntAtLeast, fail } from '../workloads/private/validate';
import { INJECT_LABEL } from '../workloads/sidecar-injection';
import { GatewayServer } from './gateway-server';

/** Ports the gateway proxy uses itself; servers may not claim them. */
const RESERVED_PORTS: readonly number[] = [
  WellKnownPorts.PROXY_ADMIN, WellKnownPorts.OUTBOUND_CAPTURE, WellKnownPorts.INBOUND_CAPTURE,
  WellKnownPorts.MERGED_METRICS, WellKnownPorts.HEALTH, WellKnownPorts.PROXY_PROMETHEUS,
];

/** Everything about a gateway except which mesh it belongs to. */
export interface MeshGatewayBaseProps {
  /** Name of the Deployment, Service and Gateway resource. @default 'istio-ingressgateway' / 'istio-egressgateway' */
  readonly name?: string;
  /** Namespace of the gateway. @default - the mesh namespace */
  readonly namespace?: string;
  /** Type of the gateway's Service. @default LoadBalancer for ingress, ClusterIP for egress */
  readonly serviceType?: kplus.ServiceType;
  /** Proxy replicas, at least 1. @default 1 */
  readonly replicas?: number;
  /**
   * Resources of the proxy container.
   * @default - requests 100m CPU and 128Mi memory, limits 2 CPUs and 1Gi memory
   */
  readonly resources?: kplus.ContainerResources;
  /** Servers to start with; more can be added with `addServer`. @default - none */
  readonly servers?: GatewayServer[];
}

/** Props of a gateway. */
export interface MeshGatewayProps extends MeshGatewayBaseProps {
  /** The mesh the gateway belongs to. */
  readonly mesh: IMesh;
}

/** What distinguishes ingress from egress. */
export interface GatewayFlavour {
  /** Value of the `istio` label, e.g. `ingressgateway`. */
  readonly istioLabel: string;
  readonly defaultName: string;
  readonly defaultServiceType: kplus.ServiceType;
}

/**
 * A gateway: a proxy Deployment in router mode, its Service, and the Istio `Gateway`
 * resource that selects it and lists its servers. Servers added later still render,
 * and each new server port is added to the Service and the container.
 */
export abstract class MeshGatewayBase extends Construct {
  /** Name of the Deployment, Service and Gateway resource. */
  public readonly name: string;
  public readonly namespace: string;
  /** `<namespace>/<name>`: what a VirtualService's `gateways` lists. */
  public readonly gatewayName: string;
  /** Labels of the gateway pods (`app: <name>`, `istio: <flavour>`). */
  public readonly podLabels: Readonly<Record<string, string>>;
  /** What the Gateway resource selects: `istio: ingressgateway` or `istio: egressgateway`, as in Istio. */
  public readonly selector: Readonly<Record<string, string>>;
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  /** The Istio Gateway resource. */
  public readonly gateway: Gateway;

  private readonly servers: Server[] = [];
  private readonly protocolByPort = new Map<number, string>();
  private readonly proxy: kplus.Container;

  protected constructor(scope: Construct, id: string, props: MeshGatewayProps, flavour: GatewayFlavour) {
    super(scope, id);
    const path = this.node.path;
    this.name = props.name ?? flavour.defaultName;
    this.namespace = props.namespace ?? props.mesh.namespace;
    checkDnsLabel(path, 'name', this.name);
    checkDnsLabel(path, 'namespace', this.namespace);
    const replicas = props.replicas ?? 1;
    checkIntAtLeast(path, 'replicas', replicas, 1);
    this.gatewayName = `${this.namespace}/${this.name}`;
    this.podLabels = { app: this.name, istio: flavour.istioLabel };
    this.selector = { istio: flavour.istioLabel };

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: `${this.name}-service-account`, namespace: this.namespace, labels: { ...this.podLabels } },
    });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.podLabels } },
      replicas,
      select: false,
      serviceAccount,
      // The proxy presents its token to the control plane's CA.
      automountServiceAccountToken: true,
      podMetadata: {
        labels: {
          ...this.podLabels,
          [INJECT_LABEL]: 'false',
          [CANONICAL_NAME_LABEL]: this.name,
          [CANONICAL_REVISION_LABEL]: 'latest',
        },
      },
      securityContext: {
        ensureNonRoot: true,
        // Lets the non-root proxy listen on ports below 1024 (80, 443), as Istio's gateways do.
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
    });
    this.proxy = this.deployment.addContainer(proxyContainer({
      image: props.mesh.proxyImage,
      xdsAddress: props.mesh.xdsAddress,
      nodeType: 'router',
      envoyVolume: kplus.Volume.fromEmptyDir(this, 'IstioEnvoyVolume', PROXY_VOLUME_NAME, {
        medium: kplus.EmptyDirMedium.MEMORY,
      }),
      resources: props.resources,
    }));
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...this.podLabels } }));
    removeAddressLabel(this.deployment);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.podLabels } },
      type: props.serviceType ?? flavour.defaultServiceType,
      ports: [{ name: 'status-port', port: WellKnownPorts.HEALTH, targetPort: WellKnownPorts.HEALTH }],
    });
    for (const [key, value] of Object.entries(this.podLabels)) this.service.selectLabel(key, value);
    removeEmptyExternalIps(this.service);

    this.gateway = new Gateway(this, 'Gateway', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: { selector: { ...this.selector }, servers: this.servers },
    });

    this.node.addValidation({
      validate: () => (this.servers.length === 0
        ? [`${path}: servers must hold at least one server (got none; add one with addServer)`]
        : []),
    });

    for (const server of props.servers ?? []) this.addServer(server);
  }

  /** Adds a server; its port is added to the Service and the proxy container if new. */
  public addServer(server: GatewayServer): this {
    const path = this.node.path;
    const field = `servers[${this.servers.length}]`;
    const rendered = server._render((f, expected, got) => fail(path, `${field}.${f}`, expected, got));
    const port = rendered.port.number;
    checkPortName(path, `${field}.portName`, rendered.port.name);
    if (RESERVED_PORTS.includes(port)) {
      fail(path, `${field}.port`, `a port the proxy does not use itself (not ${RESERVED_PORTS.join(', ')})`, port);
    }
    const known = this.protocolByPort.get(port);
    if (known !== undefined && known !== rendered.port.protocol) {
      fail(path, `${field}.port`, `served with one protocol (port ${port} is already ${known})`,
        `${port}/${rendered.port.protocol}`);
    }
    if (known === undefined) {
      this.protocolByPort.set(port, rendered.port.protocol);
      const portName = rendered.port.name;
      this.service.bind(port, { name: portName, targetPort: port });
      this.proxy.addPort({ name: portName, number: port });
    }
    this.servers.push(rendered);
    return this;
  }
}
