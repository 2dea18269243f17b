/**
 * The config a local mesh serves: the synthesized manifests (Gateways with
 * their server ports mapped to unprivileged local ones and bound to their local
 * address) plus objects generated from the plan, all read by the control plane
 * through the same file source a directory of cluster manifests would use:
 *
 * - per sidecar replica, a `Sidecar` selecting exactly that pod
 *   ({@link LOCAL_POD_LABEL}): ingress listeners on `bind: <pod IP>` forwarding
 *   to `defaultEndpoint: <app IP>:<port>`, egress listeners on
 *   `bind: <egress IP>` for the mesh's service ports with hosts `./*` and
 *   `istio-system/*`, every listener `captureMode: NONE`;
 * - per Service, `EndpointSlice`s (discovery.k8s.io/v1, as the endpoint
 *   controller writes them) listing the pod IPs of the replicas that run, with
 *   their local ports and a `targetRef` to the pod (whose labels the registry
 *   takes from the Deployment the pod name starts with).
 *
 * Files: `<dir>/manifests/<name>.k8s.yaml` (the synthesized ones) and
 * `<dir>/local/{sidecars,endpoints}.yaml` (generated). Each file is written to
 * a temporary name and renamed into place, so the watcher never reads half.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { IstioEgressListener, IstioIngressListener, SidecarSpec } from '../../constructs/api';
import type { YamlDocument } from '../config/yaml-files';
import { LOCAL_POD_LABEL, LocalPlan, LocalReplica } from './local-plan';
import { LocalTopology, resolveTargetPort } from './topology';

export const MANIFESTS_DIR = 'manifests';
export const GENERATED_DIR = 'local';
export const MANAGED_BY = 'meshform-up';

type Manifest = Record<string, unknown>;

/** One synthesized file and its documents. */
export interface ManifestFile {
  /** Base name, e.g. `bookinfo.k8s.yaml`. */
  readonly name: string;
  readonly documents: readonly YamlDocument[];
}

/**
 * A listener port with the name and protocol Istio requires: a port whose name
 * says nothing is taken as HTTP (what Istio's protocol sniffing finds for the
 * sample apps, and what the translation assumes for UNKNOWN ports).
 */
function sidecarPort(p: { name?: string; local: number; protocol?: string }): { number: number; name: string; protocol: string } {
  const protocol = p.protocol ?? 'HTTP';
  return { number: p.local, protocol, name: p.name ?? `${protocol.toLowerCase()}-${p.local}` };
}

/** The Sidecar of one replica. */
export function replicaSidecar(replica: LocalReplica): Manifest {
  const ns = replica.workload.namespace;
  const ingress: IstioIngressListener[] = replica.ports.map((p) => ({
    port: sidecarPort(p),
    bind: replica.podIp,
    defaultEndpoint: `${replica.appIp}:${p.local}`,
    captureMode: 'NONE',
  }));
  const egress: IstioEgressListener[] = replica.egressPorts.map((p) => ({
    port: sidecarPort(p),
    bind: replica.egressIp,
    captureMode: 'NONE',
    hosts: ['./*', 'istio-system/*'],
  }));
  const spec: SidecarSpec = {
    workloadSelector: { labels: { [LOCAL_POD_LABEL]: replica.podName } },
    ingress,
    egress,
  };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name: replica.podName, namespace: ns, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } },
    spec,
  };
}

/** The EndpointSlices of every Service that selects replicas running locally. */
export function endpointSlices(topology: LocalTopology, plan: LocalPlan): Manifest[] {
  const out: Manifest[] = [];
  for (const service of topology.services) {
    // Endpoints grouped by their port numbers: a slice has one port list.
    const groups = new Map<string, { ports: Array<{ name: string; port: number }>; replicas: LocalReplica[] }>();
    for (const r of plan.replicas) {
      if (r.workload.namespace !== service.namespace) continue;
      const selected = Object.entries(service.selector).length > 0
        && Object.entries(service.selector).every(([k, v]) => r.workload.labels[k] === v);
      if (!selected) continue;
      const ports: Array<{ name: string; port: number }> = [];
      for (const sp of service.ports) {
        const target = resolveTargetPort(sp, r.workload);
        const local = r.ports.find((p) => p.declared === target)?.local;
        if (local !== undefined) ports.push({ name: sp.name, port: local });
      }
      const key = JSON.stringify(ports);
      const group = groups.get(key) ?? { ports, replicas: [] };
      group.replicas.push(r);
      groups.set(key, group);
    }
    let i = 0;
    for (const group of groups.values()) {
      out.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${service.name}-local-${i++}`,
          namespace: service.namespace,
          labels: {
            'kubernetes.io/service-name': service.name,
            'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
          },
        },
        addressType: 'IPv4',
        ports: group.ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP' })),
        endpoints: group.replicas.map((r) => ({
          addresses: [r.podIp],
          conditions: { ready: true },
          targetRef: { kind: 'Pod', namespace: r.workload.namespace, name: r.podName },
        })),
      });
    }
  }
  return out;
}

/**
 * The synthesized document as served locally: a Gateway picked by a local
 * router gets its server ports mapped and bound (`port.number` 80 → 8080,
 * `bind: 127.0.0.1`); every other document is unchanged.
 */
export function localDocument(object: unknown, plan: LocalPlan): unknown {
  const o = object as Manifest;
  if (o?.kind !== 'Gateway' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('networking.istio.io/')) return object;
  const metadata = (o.metadata ?? {}) as Manifest;
  const same = (l: { gateway: { name: string; namespace: string } }): boolean =>
    l.gateway.name === metadata.name && l.gateway.namespace === (metadata.namespace ?? 'default');
  const router = plan.routers.find((r) => r.listeners.some(same));
  if (!router) return object;
  const spec = (o.spec ?? {}) as Manifest;
  const servers = (Array.isArray(spec.servers) ? spec.servers : []) as Manifest[];
  // The router's listeners of this Gateway, in the Gateway's server order.
  const mine = router.listeners.filter(same);
  return {
    ...o,
    spec: {
      ...spec,
      servers: servers.map((s, i) => {
        const listener = mine[i];
        if (!listener) return s;
        return { ...s, port: { ...(s.port as Manifest), number: listener.local }, bind: listener.bind };
      }),
    },
  };
}

function dump(documents: readonly unknown[], header: string): string {
  return `# ${header}\n${documents.map((d) => yaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n')}`;
}

/** Writes `text` to `file` through a temporary file and a rename. */
export function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes the synthesized manifests (localized) into `<dir>/manifests/`, removing stale files there. */
export function writeManifests(dir: string, files: readonly ManifestFile[], plan: LocalPlan): string[] {
  const target = path.join(dir, MANIFESTS_DIR);
  fs.mkdirSync(target, { recursive: true });
  const names = new Set(files.map((f) => f.name));
  for (const stale of fs.readdirSync(target)) {
    if (!names.has(stale) && /\.ya?ml$/.test(stale)) fs.rmSync(path.join(target, stale), { force: true });
  }
  const written: string[] = [];
  for (const f of files) {
    const file = path.join(target, f.name);
    writeAtomically(file, dump(f.documents.map((d) => localDocument(d.object, plan)), `synthesized manifests, served locally by meshform up (Gateway ports mapped)`));
    written.push(file);
  }
  return written;
}

/** Writes the generated Sidecars and EndpointSlices into `<dir>/local/`. */
export function writeGenerated(dir: string, topology: LocalTopology, plan: LocalPlan): string[] {
  const target = path.join(dir, GENERATED_DIR);
  const sidecars = plan.replicas.filter((r) => r.proxy).map(replicaSidecar);
  const slices = endpointSlices(topology, plan);
  const files = [path.join(target, 'sidecars.yaml'), path.join(target, 'endpoints.yaml')];
  writeAtomically(files[0], dump(sidecars, 'generated by meshform up: one capture-less Sidecar per local pod'));
  writeAtomically(files[1], dump(slices, 'generated by meshform up: the local pod IPs of each Service'));
  return files;
}
