/**
 * The local topology, read from the synthesized manifests and nothing else:
 * which workloads exist (Deployments with their `app`/`version` labels,
 * replicas, namespace, the app container's ports, whether a sidecar is
 * injected), which Services front them (ports, targetPorts, selectors), and
 * which gateway Deployments run routers, with the Gateways that select them.
 *
 * Decisions:
 * - A Deployment whose pod template carries an `istio-proxy` container started
 *   with a `router~` node id, or whose `istio` label ends in `gateway`, is a
 *   gateway; it runs a proxy alone (no app).
 * - The control plane's own Deployment (its container runs `control-plane`) is
 *   not a workload: `meshform up` starts the control plane itself.
 * - The app container is the first container that is not `istio-proxy`.
 * - A workload is injected when its template has an `istio-proxy` container
 *   (synth-time injection) or `sidecar.istio.io/inject: "true"` (webhook mode).
 */
import type { GatewaySpec, Server } from '../../constructs/api';
import type { YamlDocument } from '../config/yaml-files';

export const PROXY_CONTAINER = 'istio-proxy';

export interface LocalContainerPort {
  readonly name?: string;
  readonly containerPort: number;
}

/** A Deployment of the mesh that runs an app. */
export interface LocalWorkload {
  /** Deployment name, e.g. `reviews-v2`. */
  readonly deployment: string;
  readonly namespace: string;
  /** The pod template's `app` label (or the Deployment name when it has none). */
  readonly app: string;
  /** The pod template's `version` label. @default 'v1' when absent */
  readonly version: string;
  /** Every label of the pod template. */
  readonly labels: Readonly<Record<string, string>>;
  readonly replicas: number;
  /** Name of the app container. */
  readonly container: string;
  /** Ports of the app container. */
  readonly ports: readonly LocalContainerPort[];
  /** Whether a sidecar proxy runs next to the app. */
  readonly injected: boolean;
  readonly serviceAccount?: string;
  /** Where the Deployment was read (`dist/bookinfo.k8s.yaml#12`). */
  readonly source: string;
}

export interface LocalServicePort {
  readonly name: string;
  readonly port: number;
  /** Number, or the name of a container port. @default port */
  readonly targetPort: number | string;
  readonly appProtocol?: string;
}

export interface LocalService {
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly LocalServicePort[];
  readonly selector: Readonly<Record<string, string>>;
}

/** A Gateway object and the servers it declares. */
export interface LocalGatewayObject {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly servers: readonly Server[];
}

/** A gateway Deployment (router proxy) and the Gateways that select it. */
export interface LocalGatewayWorkload {
  readonly deployment: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly replicas: number;
  readonly gateways: readonly LocalGatewayObject[];
  readonly source: string;
}

export interface LocalTopology {
  readonly workloads: readonly LocalWorkload[];
  readonly services: readonly LocalService[];
  readonly gateways: readonly LocalGatewayWorkload[];
  /** Every Gateway object, selected by a gateway Deployment or not. */
  readonly gatewayObjects: readonly LocalGatewayObject[];
  /** Things read but not run, with why (the control plane's Deployment, ...). */
  readonly notes: readonly string[];
}

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function rec(v: unknown): Rec {
  return isRec(v) ? v : {};
}
function list(v: unknown): Rec[] {
  return Array.isArray(v) ? v.filter(isRec) : [];
}
function strings(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === 'string') out[k] = x;
  return out;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Whether every label of `selector` is in `labels` (an empty selector picks nothing). */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function where(doc: YamlDocument): string {
  return `${doc.file}#${doc.index}`;
}

function isGatewayTemplate(labels: Record<string, string>, containers: Rec[]): boolean {
  if (/gateway$/.test(labels.istio ?? '')) return true;
  const proxy = containers.find((c) => c.name === PROXY_CONTAINER);
  const args = Array.isArray(proxy?.args) ? proxy.args.map(String) : [];
  return args.some((a) => a.startsWith('router~'));
}

function isControlPlane(containers: Rec[]): boolean {
  return containers.some((c) => Array.isArray(c.args) && c.args[0] === 'control-plane');
}

/** Reads the topology from the documents of the synthesized manifests. */
export function readTopology(documents: readonly YamlDocument[], defaultNamespace = 'default'): LocalTopology {
  const workloads: LocalWorkload[] = [];
  const services: LocalService[] = [];
  const gatewayObjects: LocalGatewayObject[] = [];
  const gatewayDeployments: Array<Omit<LocalGatewayWorkload, 'gateways'>> = [];
  const notes: string[] = [];

  for (const doc of documents) {
    const o = rec(doc.object);
    const metadata = rec(o.metadata);
    const name = str(metadata.name);
    const namespace = str(metadata.namespace) ?? defaultNamespace;
    if (name === undefined) continue;
    const spec = rec(o.spec);

    if (o.kind === 'Service' && o.apiVersion === 'v1') {
      if (spec.type === 'ExternalName') continue;
      services.push({
        name,
        namespace,
        selector: strings(spec.selector),
        ports: list(spec.ports).map((p) => ({
          name: str(p.name) ?? '',
          port: Number(p.port),
          targetPort: typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : Number(p.port),
          ...(str(p.appProtocol) ? { appProtocol: str(p.appProtocol) } : {}),
        })),
      });
    } else if (o.kind === 'Gateway' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('networking.istio.io/')) {
      const gw = spec as Partial<GatewaySpec>;
      gatewayObjects.push({ name, namespace, selector: { ...(gw.selector ?? {}) }, servers: [...(gw.servers ?? [])] });
    } else if (o.kind === 'Deployment') {
      const template = rec(spec.template);
      const labels = strings(rec(template.metadata).labels);
      const annotations = strings(rec(template.metadata).annotations);
      const podSpec = rec(template.spec);
      const containers = list(podSpec.containers);
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      if (isControlPlane(containers)) {
        notes.push(`Deployment ${namespace}/${name}: the control plane; run locally by meshform up itself`);
        continue;
      }
      if (isGatewayTemplate(labels, containers)) {
        gatewayDeployments.push({
          deployment: name, namespace, labels, replicas, source: where(doc),
          ...(str(podSpec.serviceAccountName) ? { serviceAccount: str(podSpec.serviceAccountName) } : {}),
        });
        continue;
      }
      const app = containers.find((c) => c.name !== PROXY_CONTAINER);
      if (!app) {
        notes.push(`Deployment ${namespace}/${name}: no app container; skipped`);
        continue;
      }
      const injected = containers.some((c) => c.name === PROXY_CONTAINER)
        || labels['sidecar.istio.io/inject'] === 'true' || annotations['sidecar.istio.io/inject'] === 'true';
      workloads.push({
        deployment: name,
        namespace,
        app: labels.app ?? name,
        version: labels.version ?? 'v1',
        labels,
        replicas,
        container: str(app.name) ?? 'app',
        ports: list(app.ports)
          .filter((p) => typeof p.containerPort === 'number' && (p.protocol === undefined || p.protocol === 'TCP'))
          .map((p) => ({ containerPort: p.containerPort as number, ...(str(p.name) ? { name: str(p.name) } : {}) })),
        injected,
        ...(str(podSpec.serviceAccountName) ? { serviceAccount: str(podSpec.serviceAccountName) } : {}),
        source: where(doc),
      });
    }
  }

  const gateways = gatewayDeployments.map((g) => ({
    ...g,
    gateways: gatewayObjects.filter((gw) => selects(gw.selector, g.labels)),
  }));
  return { workloads, services, gateways, gatewayObjects, notes };
}

/** The Services whose selector picks the workload's labels in its namespace. */
export function servicesOf(topology: LocalTopology, workload: LocalWorkload): LocalService[] {
  return topology.services.filter((s) => s.namespace === workload.namespace && selects(s.selector, workload.labels));
}

/** The container port a Service port targets (by number or by container port name). */
export function resolveTargetPort(port: LocalServicePort, workload: LocalWorkload): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  const byName = workload.ports.find((p) => p.name === port.targetPort);
  if (byName) return byName.containerPort;
  const n = Number(port.targetPort);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
