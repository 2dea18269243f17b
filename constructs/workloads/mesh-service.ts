import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CLUSTER_DOMAIN } from '../control-plane/ports';
import type { IMesh } from '../mesh';
import { IMeshServiceTarget, MeshServicePort } from '../service-target';
import { removeAddressLabel, removeEmptyExternalIps } from './private/kplus-tidy';
import { checkServicePorts } from './private/port-name';
import { checkDnsLabel, checkIntAtLeast, checkLabelValue, fail } from './private/validate';
import { InjectionMode, SidecarInjection } from './sidecar-injection';

/** Istio's canonical-service labels (telemetry and `istioctl` key on them). */
export const CANONICAL_NAME_LABEL = 'service.istio.io/canonical-name';
export const CANONICAL_REVISION_LABEL = 'service.istio.io/canonical-revision';

/** One version of a service: one Deployment `<name>-<version>`. */
export interface MeshServiceVersion {
  /** Value of the `version` label, e.g. `v1`; also the Deployment name suffix. */
  readonly version: string;
  /** Application image. */
  readonly image: string;
  /** Pod replicas (0 keeps the version defined but scaled down). @default 1 */
  readonly replicas?: number;
  /** Environment variables of the application container. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments of the application container. @default - the image's */
  readonly args?: string[];
  /** Resources of the application container. @default - none (no requests or limits) */
  readonly resources?: kplus.ContainerResources;
  /** Extra pod labels. `app` and `version` are set by meshform and may not be overridden. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Security context of the application container.
   * @default - cdk8s-plus' defaults: non-root, read-only root filesystem, no privilege escalation
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
}

/** Everything about a mesh service except which mesh it joins. */
export interface MeshServiceBaseProps {
  /** Service name (a DNS label), also the `app` label, e.g. `reviews`. */
  readonly name: string;
  /** Namespace of the Service, Deployments and ServiceAccount. @default 'default' */
  readonly namespace?: string;
  /** Ports, named per Istio's `<protocol>[-<suffix>]` convention. */
  readonly ports: MeshServicePort[];
  /** Versions to run; more can be added with `addVersion`. @default - none yet */
  readonly versions?: MeshServiceVersion[];
  /**
   * Identity of the workloads: a name creates a ServiceAccount with that name; an
   * existing ServiceAccount is referenced and not created.
   * @default - a ServiceAccount named after the service
   */
  readonly serviceAccount?: string | kplus.IServiceAccount;
  /** How the proxy gets into the pods. @default SidecarInjection.synthTime() */
  readonly injection?: SidecarInjection;
}

/** Props of `MeshService`. */
export interface MeshServiceProps extends MeshServiceBaseProps {
  /** The mesh the service joins. */
  readonly mesh: IMesh;
}

/**
 * A service in the mesh: a Service selecting `app: <name>`, and per version a
 * Deployment `<name>-<version>` labelled `app`/`version`, with its proxy.
 *
 * @example
 * const reviews = new MeshService(chart, 'reviews', {
 *   mesh, name: 'reviews', ports: [{ name: 'http', port: 9080 }],
 *   versions: [{ version: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2' }],
 * });
 * reviews.addVersion({ version: 'v2', image: '...' });
 */
export class MeshService extends Construct implements IMeshServiceTarget {
  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly fqdn: string;
  public readonly ports: readonly MeshServicePort[];
  public readonly mesh: IMesh;
  /** The Kubernetes Service. */
  public readonly service: kplus.Service;
  /** The ServiceAccount the workloads run as. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** How the proxy gets into the pods. */
  public readonly injection: SidecarInjection;

  private readonly _deployments = new Map<string, kplus.Deployment>();

  constructor(scope: Construct, id: string, props: MeshServiceProps) {
    super(scope, id);
    const path = this.node.path;
    this.mesh = props.mesh;
    this.serviceName = props.name;
    this.namespace = props.namespace ?? 'default';
    this.injection = props.injection ?? SidecarInjection.synthTime();
    checkDnsLabel(path, 'name', this.serviceName);
    checkDnsLabel(path, 'namespace', this.namespace);
    checkServicePorts(path, props.ports);
    this.ports = props.ports.map((p) => ({ ...p }));
    this.fqdn = `${this.serviceName}.${this.namespace}.svc.${CLUSTER_DOMAIN}`;

    const sa = props.serviceAccount ?? this.serviceName;
    if (typeof sa === 'string') {
      checkDnsLabel(path, 'serviceAccount', sa);
      this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name: sa, namespace: this.namespace, labels: { account: this.serviceName } },
      });
    } else {
      this.serviceAccount = sa;
    }

    this.service = new kplus.Service(this, 'Service', {
      metadata: {
        name: this.serviceName,
        namespace: this.namespace,
        labels: { app: this.serviceName, service: this.serviceName },
      },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: this.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port })),
    });
    this.service.selectLabel('app', this.serviceName);
    removeEmptyExternalIps(this.service);

    for (const version of props.versions ?? []) this.addVersion(version);

    this.node.addValidation({
      validate: () => (this._deployments.size === 0
        ? [`${path}: versions must hold at least one version (got none; add one with addVersion)`]
        : []),
    });
  }

  /** Values of the `version` label, in the order they were added. */
  public get versions(): readonly string[] {
    return [...this._deployments.keys()];
  }

  /** Name of the ServiceAccount the workloads run as. */
  public get serviceAccountName(): string {
    return this.serviceAccount.name;
  }

  /** Istio principal of the workloads, `<trust domain>/ns/<namespace>/sa/<service account>`. */
  public get principal(): string {
    return `${this.mesh.trustDomain}/ns/${this.namespace}/sa/${this.serviceAccountName}`;
  }

  /** The Deployment of one version. */
  public deployment(version: string): kplus.Deployment {
    const d = this._deployments.get(version);
    if (!d) fail(this.node.path, 'version', `one of ${this.versions.join(', ') || '(none)'}`, version);
    return d;
  }

  /** Adds a version: a Deployment `<name>-<version>` with its proxy. */
  public addVersion(version: MeshServiceVersion): kplus.Deployment {
    const path = this.node.path;
    const field = `versions[${this._deployments.size}]`;
    checkLabelValue(path, `${field}.version`, version.version);
    if (this._deployments.has(version.version)) {
      fail(path, `${field}.version`, 'unique among the versions', version.version);
    }
    const deploymentName = `${this.serviceName}-${version.version}`;
    checkDnsLabel(path, `${field}.version (as part of the Deployment name '${deploymentName}')`, deploymentName);
    if (!version.image) fail(path, `${field}.image`, 'a non-empty image reference', version.image);
    const replicas = version.replicas ?? 1;
    checkIntAtLeast(path, `${field}.replicas`, replicas, 0);

    const selector = { app: this.serviceName, version: version.version };
    for (const key of Object.keys(selector) as (keyof typeof selector)[]) {
      const given = version.labels?.[key];
      if (given !== undefined && given !== selector[key]) {
        fail(path, `${field}.labels.${key}`, `'${selector[key]}' (set by meshform) or absent`, given);
      }
    }

    const injection = this.injection;
    const deployment = new kplus.Deployment(this, `Deployment-${version.version}`, {
      metadata: { name: deploymentName, namespace: this.namespace, labels: selector },
      replicas,
      select: false,
      serviceAccount: this.serviceAccount,
      // A synth-time proxy presents the pod's token to the control plane's CA; without a
      // proxy the application does not need Kubernetes API credentials.
      automountServiceAccountToken: injection.mode === InjectionMode.SYNTH_TIME,
      podMetadata: {
        labels: {
          ...version.labels,
          ...selector,
          [CANONICAL_NAME_LABEL]: this.serviceName,
          [CANONICAL_REVISION_LABEL]: version.version,
        },
      },
      containers: [{
        name: this.serviceName,
        image: version.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args: version.args,
        envVariables: Object.fromEntries(
          Object.entries(version.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
        ),
        ports: this.ports.map((p) => ({ name: p.name, number: p.targetPort ?? p.port })),
        resources: version.resources ?? {},
        securityContext: version.securityContext,
      }],
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    removeAddressLabel(deployment);
    injection._apply({ scope: deployment, mesh: this.mesh, deployment, appContainerName: this.serviceName });
    this._deployments.set(version.version, deployment);
    return deployment;
  }
}
