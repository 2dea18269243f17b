import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { MeshAnalysis } from './analysis';
import { KINDS, renderCrd } from './api';
import { AccessLogEncoding, AccessLogging } from './control-plane/access-logging';
import { OutboundTrafficPolicyMode } from './control-plane/outbound-traffic-policy';
import { WellKnownPorts } from './control-plane/ports';
import { controlPlaneClusterRules, controlPlaneNamespaceRules } from './control-plane/rbac';
import { EgressGateway } from './gateways/egress-gateway';
import { MeshGatewayBaseProps } from './gateways/gateway-base';
import { IngressGateway } from './gateways/ingress-gateway';
import { PeerAuthentication } from './istio';
import { renderMeshConfigData } from './mesh-config';
import { MtlsMode } from './security/mtls-policy';
import { MeshService, MeshServiceBaseProps } from './workloads/mesh-service';
import { removeAddressLabel, removeEmptyExternalIps } from './workloads/private/kplus-tidy';
import { ALL_CAPABILITIES } from './workloads/private/proxy-container';
import { checkDnsLabel, checkDnsSubdomain, checkIntAtLeast, checkIntRange, fail } from './workloads/private/validate';

/** The meshform image: it runs both `meshform control-plane` and `meshform proxy`. */
export const DEFAULT_MESHFORM_IMAGE = 'ghcr.io/meshform/meshform:0.1.0';

/** Name of the control plane's Deployment, Service, ServiceAccount and mesh-config ConfigMap. */
export const CONTROL_PLANE_NAME = 'meshform';

/** Whether `Mesh` installs meshform's control plane or targets an Istio that is already there. */
export type ControlPlaneMode = 'bundled' | 'external';

/** What workloads and gateways need to know about the mesh they join. */
export interface IMesh extends IConstruct {
  /** The mesh's root namespace (control plane, mesh-wide policies). */
  readonly namespace: string;
  /** SPIFFE trust domain of workload identities. */
  readonly trustDomain: string;
  /** `host:port` of the control plane's plaintext xDS server, given to every proxy. */
  readonly xdsAddress: string;
  /** Image of the proxy (sidecars and gateways). */
  readonly proxyImage: string;
}

/** Horizontal autoscaling of the control plane on CPU. */
export interface ControlPlaneAutoscaling {
  /** At least 1. */
  readonly minReplicas: number;
  /** At least `minReplicas`. */
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the requested CPU, that triggers scaling (1..100). @default 80 */
  readonly targetCpuPercent?: number;
}

/** The control plane's PodDisruptionBudget. */
export interface ControlPlaneDisruptionBudget {
  /** Pods that must stay available during voluntary disruptions, 0..replicas (or minReplicas). */
  readonly minAvailable: number;
}

/** Everything about a mesh except where it sits in the construct tree. */
export interface MeshProps {
  /** Root namespace of the mesh: control plane and mesh-wide policies. @default 'istio-system' */
  readonly namespace?: string;
  /**
   * `'bundled'` installs meshform's control plane (namespace, CRDs, RBAC, mesh config,
   * Deployment, Service, PodDisruptionBudget); `'external'` emits only the mesh's Istio
   * resources, for an Istio that is already installed.
   * @default 'bundled'
   */
  readonly controlPlane?: ControlPlaneMode;
  /** Image that runs `meshform control-plane` and `meshform proxy`. @default DEFAULT_MESHFORM_IMAGE */
  readonly image?: string;
  /** Control-plane replicas (ignored when `autoscaling` is set). @default 1 */
  readonly replicas?: number;
  /**
   * Control-plane container resources.
   * @default - requests 250m CPU and 256Mi memory, limit 1Gi memory
   */
  readonly resources?: kplus.ContainerResources;
  /** SPIFFE trust domain. @default 'cluster.local' */
  readonly trustDomain?: string;
  /**
   * Default mutual TLS mode of the mesh (STRICT, PERMISSIVE or DISABLE). When set, it is
   * also rendered as the mesh-wide PeerAuthentication `default` in the mesh namespace, so
   * an external Istio enforces the same thing. Leave it unset if the mesh-wide policy is
   * written with `MtlsPolicy` (security) instead, to avoid two `default` policies.
   * @default - STRICT in meshform's mesh config; no PeerAuthentication emitted
   */
  readonly mtls?: MtlsMode;
  /** What proxies do with traffic to unknown hosts. @default OutboundTrafficPolicyMode.ALLOW_ANY */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  /**
   * Proxy access logs: `true` is `AccessLogging.stdout()`, `false` is `AccessLogging.off()`.
   * @default false
   */
  readonly accessLogging?: boolean | AccessLogging;
  /** Autoscale the control plane on CPU. @default - no HorizontalPodAutoscaler, fixed `replicas` */
  readonly autoscaling?: ControlPlaneAutoscaling;
  /** PodDisruptionBudget of the control plane; `false` emits none. @default { minAvailable: 1 } */
  readonly podDisruptionBudget?: ControlPlaneDisruptionBudget | false;
  /**
   * xDS address handed to proxies.
   * @default - `meshform.<namespace>.svc:15010` when bundled, `istiod.<namespace>.svc:15010` when external
   */
  readonly xdsAddress?: string;
}

const MESH_SYMBOL = Symbol.for('meshform.Mesh');

/**
 * A service mesh: its control plane (bundled or external) and its mesh-wide settings.
 *
 * @example
 * const mesh = new Mesh(chart, 'mesh', { mtls: MtlsMode.STRICT });
 * const reviews = mesh.addService('reviews', { name: 'reviews', ports: [{ name: 'http', port: 9080 }], versions: [...] });
 */
export class Mesh extends Construct implements IMesh {
  /** True if `x` is a Mesh (works across copies of the library). */
  public static isMesh(x: unknown): x is Mesh {
    return typeof x === 'object' && x !== null && MESH_SYMBOL in x;
  }

  /**
   * The mesh `scope` belongs to: the nearest enclosing Mesh, else the only Mesh in the app.
   * Throws if there is none, or several and none encloses `scope`.
   */
  public static of(scope: IConstruct): Mesh {
    const enclosing = [...scope.node.scopes].reverse().find(Mesh.isMesh);
    if (enclosing) return enclosing;
    const all = scope.node.root.node.findAll().filter(Mesh.isMesh);
    if (all.length === 1) return all[0];
    const got = all.length === 0 ? 'none' : all.map((m) => m.node.path).join(', ');
    throw new Error(`${scope.node.path}: mesh must be exactly one Mesh in the app, or be passed explicitly (got ${got})`);
  }

  public readonly namespace: string;
  public readonly trustDomain: string;
  public readonly xdsAddress: string;
  public readonly proxyImage: string;
  /** Image of the control plane (the same as the proxy's). */
  public readonly image: string;
  public readonly controlPlane: ControlPlaneMode;
  public readonly mtls: MtlsMode;
  public readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
  /** The control-plane Deployment (`undefined` when the control plane is external). */
  public readonly deployment?: kplus.Deployment;
  /** The control-plane Service (`undefined` when the control plane is external). */
  public readonly service?: kplus.Service;

  constructor(scope: Construct, id: string, props: MeshProps = {}) {
    super(scope, id);
    Object.defineProperty(this, MESH_SYMBOL, { value: true });
    const path = this.node.path;

    this.namespace = props.namespace ?? 'istio-system';
    // The whole app is checked at synth time, as `meshform analyze` checks YAML.
    MeshAnalysis.attach(this, { rootNamespace: this.namespace });
    this.trustDomain = props.trustDomain ?? 'cluster.local';
    this.controlPlane = props.controlPlane ?? 'bundled';
    this.image = props.image ?? DEFAULT_MESHFORM_IMAGE;
    this.proxyImage = this.image;
    this.mtls = props.mtls ?? MtlsMode.STRICT;
    this.outboundTrafficPolicy = props.outboundTrafficPolicy ?? OutboundTrafficPolicyMode.ALLOW_ANY;
    const serviceHost = this.controlPlane === 'bundled' ? CONTROL_PLANE_NAME : 'istiod';
    this.xdsAddress = props.xdsAddress ?? `${serviceHost}.${this.namespace}.svc:${WellKnownPorts.XDS}`;

    checkDnsLabel(path, 'namespace', this.namespace);
    checkDnsSubdomain(path, 'trustDomain', this.trustDomain);
    if (this.controlPlane !== 'bundled' && this.controlPlane !== 'external') {
      fail(path, 'controlPlane', "'bundled' or 'external'", this.controlPlane);
    }
    const meshModes = [MtlsMode.STRICT, MtlsMode.PERMISSIVE, MtlsMode.DISABLE];
    if (!meshModes.includes(this.mtls)) {
      fail(path, 'mtls', `one of ${meshModes.join(', ')} (the mesh has no parent to inherit from)`, this.mtls);
    }

    if (this.controlPlane === 'bundled') {
      const accessLogging = toAccessLogging(props.accessLogging);
      const { deployment, service } = this.installControlPlane(props, accessLogging);
      this.deployment = deployment;
      this.service = service;
    }

    if (props.mtls !== undefined) {
      new PeerAuthentication(this, 'DefaultPeerAuthentication', {
        metadata: { name: 'default', namespace: this.namespace },
        spec: { mtls: { mode: this.mtls } },
      });
    }
  }

  /** Adds a service (one Deployment per version, one Service) to this mesh. */
  public addService(id: string, props: MeshServiceBaseProps): MeshService {
    return new MeshService(this, id, { ...props, mesh: this });
  }

  /** Adds an ingress gateway (`istio: ingressgateway`) to this mesh. */
  public addIngressGateway(id: string, props: MeshGatewayBaseProps = {}): IngressGateway {
    return new IngressGateway(this, id, { ...props, mesh: this });
  }

  /** Adds an egress gateway (`istio: egressgateway`) to this mesh. */
  public addEgressGateway(id: string, props: MeshGatewayBaseProps = {}): EgressGateway {
    return new EgressGateway(this, id, { ...props, mesh: this });
  }

  private installControlPlane(props: MeshProps, accessLogging: AccessLogging) {
    const path = this.node.path;
    const namespace = this.namespace;
    const replicas = props.replicas ?? 1;
    checkIntAtLeast(path, 'replicas', replicas, 1);
    const autoscaling = props.autoscaling;
    if (autoscaling) {
      checkIntAtLeast(path, 'autoscaling.minReplicas', autoscaling.minReplicas, 1);
      checkIntAtLeast(path, 'autoscaling.maxReplicas', autoscaling.maxReplicas, autoscaling.minReplicas);
      checkIntRange(path, 'autoscaling.targetCpuPercent', autoscaling.targetCpuPercent ?? 80, 1, 100);
    }
    const pdb = props.podDisruptionBudget ?? { minAvailable: 1 };
    if (pdb) {
      const floor = autoscaling?.minReplicas ?? replicas;
      checkIntRange(path, 'podDisruptionBudget.minAvailable', pdb.minAvailable, 0, floor);
    }

    const labels = {
      'app': CONTROL_PLANE_NAME,
      'app.kubernetes.io/name': CONTROL_PLANE_NAME,
      'app.kubernetes.io/component': 'control-plane',
    };
    const meta = (name: string) => ({ name, namespace, labels });
    const clusterName = `${CONTROL_PLANE_NAME}-${namespace}`;

    new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace } });

    for (const info of KINDS) {
      const crd = renderCrd(info) as unknown as CrdManifest;
      new ApiObject(this, `Crd${info.kind}`, crd);
    }

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: meta(CONTROL_PLANE_NAME),
    });

    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels },
      rules: controlPlaneClusterRules(),
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name: CONTROL_PLANE_NAME, namespace }],
    });
    new k8s.KubeRole(this, 'Role', {
      metadata: meta(CONTROL_PLANE_NAME),
      rules: controlPlaneNamespaceRules(CONTROL_PLANE_NAME),
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta(CONTROL_PLANE_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CONTROL_PLANE_NAME },
      subjects: [{ kind: 'ServiceAccount', name: CONTROL_PLANE_NAME, namespace }],
    });

    new k8s.KubeConfigMap(this, 'MeshConfig', {
      metadata: meta(CONTROL_PLANE_NAME),
      data: renderMeshConfigData({
        rootNamespace: namespace,
        trustDomain: this.trustDomain,
        discoveryAddress: this.xdsAddress,
        outboundTrafficPolicy: this.outboundTrafficPolicy,
        accessLogging,
        mtlsMode: this.mtls,
      }),
    });

    const ready = () => kplus.Probe.fromHttpGet('/ready', { port: WellKnownPorts.MONITORING });
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: meta(CONTROL_PLANE_NAME),
      replicas,
      select: false,
      // Like istiod, the control plane runs without a sidecar.
      podMetadata: { labels: { ...labels, 'sidecar.istio.io/inject': 'false' } },
      serviceAccount,
      // The control plane watches the Kubernetes API, so it needs its token.
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: true, user: 1337, group: 1337, fsGroup: 1337 },
      containers: [
        {
          name: 'control-plane',
          image: this.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [
            'control-plane',
            '--config-source', 'kubernetes',
            '--xds-port', String(WellKnownPorts.XDS),
            '--monitoring-port', String(WellKnownPorts.MONITORING),
          ],
          envVariables: {
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
          },
          ports: [
            { name: 'grpc-xds', number: WellKnownPorts.XDS },
            { name: 'https-dns', number: WellKnownPorts.XDS_TLS },
            { name: 'http-monitoring', number: WellKnownPorts.MONITORING },
            { name: 'https-webhook', number: WellKnownPorts.WEBHOOK },
          ],
          readiness: ready(),
          liveness: ready(),
          resources: props.resources ?? {
            cpu: { request: kplus.Cpu.millis(250) },
            memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
          },
          securityContext: {
            ensureNonRoot: true,
            user: 1337,
            group: 1337,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: [ALL_CAPABILITIES] },
          },
          volumeMounts: [
            // Writable scratch space; the root filesystem is read-only.
            { path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp') },
          ],
        },
      ],
    });
    deployment.select(kplus.LabelSelector.of({ labels: { app: CONTROL_PLANE_NAME } }));
    removeAddressLabel(deployment);

    const service = new kplus.Service(this, 'Service', {
      metadata: meta(CONTROL_PLANE_NAME),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [
        { name: 'grpc-xds', port: WellKnownPorts.XDS, targetPort: WellKnownPorts.XDS },
        { name: 'https-dns', port: WellKnownPorts.XDS_TLS, targetPort: WellKnownPorts.XDS_TLS },
        { name: 'http-monitoring', port: WellKnownPorts.MONITORING, targetPort: WellKnownPorts.MONITORING },
        { name: 'https-webhook', port: WellKnownPorts.WEBHOOK, targetPort: WellKnownPorts.WEBHOOK },
      ],
    });
    service.selectLabel('app', CONTROL_PLANE_NAME);
    removeEmptyExternalIps(service);

    if (pdb) {
      new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: meta(CONTROL_PLANE_NAME),
        spec: {
          minAvailable: k8s.IntOrString.fromNumber(pdb.minAvailable),
          selector: { matchLabels: { app: CONTROL_PLANE_NAME } },
        },
      });
    }

    if (autoscaling) {
      deployment.markHasAutoscaler();
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: meta(CONTROL_PLANE_NAME),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: CONTROL_PLANE_NAME },
          minReplicas: autoscaling.minReplicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: autoscaling.targetCpuPercent ?? 80 },
            },
          }],
        },
      });
    }

    return { deployment, service };
  }
}

/** The shape `renderCrd` returns, as far as ApiObject needs it. */
interface CrdManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [key: string]: unknown;
}

function toAccessLogging(value: boolean | AccessLogging | undefined): AccessLogging {
  if (value === undefined || value === false) return AccessLogging.off();
  if (value === true) return AccessLogging.stdout({ encoding: AccessLogEncoding.TEXT });
  return value;
}
