/**
 * The local plan: every process `meshform up` starts, with its addresses,
 * ports and proxy identity, derived from the topology alone. Pure (no I/O), so
 * the same manifests always give the same plan; the launcher picks the free
 * ports it needs (admin ports) beforehand and hands them in.
 *
 * - One replica per Deployment replica whose app has a local program
 *   ({@link programFor}); others are noted and skipped (they get no endpoints).
 * - App ports: the app container's ports plus the Service targetPorts that
 *   select it, each mapped to an unprivileged local port (80 → 8080); the
 *   EndpointSlices carry the local port, so every proxy reaches the mapped one.
 * - Egress ports: the ports (from 1024 up) of the Services in front of the
 *   workloads that run locally. Every sidecar gets one egress listener per such
 *   port on its egress IP; privileged service ports are left out and noted.
 * - Gateways: each server of a Gateway selecting a gateway Deployment listens on
 *   its unprivileged local port; the ingress gateway (`istio: ingressgateway`)
 *   binds `ingressHost` (127.0.0.1), other gateways their pod IP.
 * - Pod names look like Kubernetes': `reviews-v2-local-00001`, so the proxy's
 *   WORKLOAD_NAME is the Deployment name. Each proxy also carries the label
 *   {@link LOCAL_POD_LABEL} = its pod name, which the generated per-pod Sidecar
 *   selects (replicas of one Deployment share labels but not bind addresses).
 */
import { portProtocol } from '../config/service-registry';
import type { Server } from '../../constructs/api';
import { AddressAllocator, unprivilegedPort } from './address-allocation';
import { LocalProgram, programFor } from './local-programs';
import {
  LocalGatewayObject, LocalGatewayWorkload, LocalTopology, LocalWorkload, resolveTargetPort, servicesOf,
} from './topology';

/** The label that ties a proxy to its generated Sidecar. */
export const LOCAL_POD_LABEL = 'local.meshform.io/pod';
export const DEFAULT_INGRESS_HOST = '127.0.0.1';
const CLUSTER_DOMAIN = 'cluster.local';

export interface LocalPort {
  /** Port name (container port name, else the Service port's). */
  readonly name?: string;
  /** The port as declared in the manifests. */
  readonly declared: number;
  /** The port used locally (differs for privileged ports). */
  readonly local: number;
  /** `HTTP`, `TCP`, ... or undefined when the name does not say. */
  readonly protocol?: string;
}

/** One replica of a workload that runs locally. */
export interface LocalReplica {
  readonly workload: LocalWorkload;
  readonly program: LocalProgram;
  readonly index: number;
  readonly podName: string;
  readonly podIp: string;
  readonly egressIp: string;
  /** Where the app listens: the app IP with a sidecar, else the pod IP. */
  readonly appIp: string;
  readonly ports: readonly LocalPort[];
  /** Ports of the sidecar's egress listeners (on the egress IP); empty without a sidecar. */
  readonly egressPorts: readonly LocalPort[];
  /** Undefined when the workload has no sidecar. */
  readonly proxy?: LocalProxy;
}

export interface LocalProxy {
  readonly nodeId: string;
  readonly namespace: string;
  /** The pod's service account (its SPIFFE identity). @default 'default' */
  readonly serviceAccount: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly adminPort: number;
}

/** A server port of a gateway, as declared and as served locally. */
export interface LocalGatewayListener {
  readonly gateway: LocalGatewayObject;
  readonly server: Server;
  readonly declared: number;
  readonly local: number;
  readonly bind: string;
}

export interface LocalRouter {
  readonly gateway: LocalGatewayWorkload;
  readonly index: number;
  readonly podName: string;
  readonly podIp: string;
  readonly listeners: readonly LocalGatewayListener[];
  readonly proxy: LocalProxy;
  /** Whether this is the ingress gateway (`istio: ingressgateway`). */
  readonly ingress: boolean;
}

export interface LocalPlanOptions {
  /** The B of 127.B.x.N. @default 0 */
  readonly addressBlock?: number;
  /** Where the ingress gateway binds its server ports. @default '127.0.0.1' */
  readonly ingressHost?: string;
  /** Local port of gateway server ports, by declared port (e.g. 80 → 18080). @default privileged ports + 8000 */
  readonly gatewayPorts?: ReadonlyMap<number, number>;
  /** The admin port of the i-th proxy (sidecars first, then routers). */
  readonly adminPort: (i: number) => number;
}

export interface LocalPlan {
  readonly replicas: readonly LocalReplica[];
  readonly routers: readonly LocalRouter[];
  /** What is not run, and why. */
  readonly notes: readonly string[];
  /** Privileged ports mapped to local ones, as `what: 80 → 8080`. */
  readonly portMappings: readonly string[];
}

/** How many proxies the topology runs (to pick that many admin ports). */
export function countProxies(topology: LocalTopology): number {
  let n = 0;
  for (const w of topology.workloads) if (w.injected && programFor(w).ok) n += w.replicas;
  for (const g of topology.gateways) n += Math.min(g.replicas, 1);
  return n;
}

function podName(deployment: string, index: number): string {
  return `${deployment}-local-${String(index).padStart(5, '0')}`;
}

function nodeId(type: 'sidecar' | 'router', ip: string, pod: string, namespace: string): string {
  return `${type}~${ip}~${pod}.${namespace}~${namespace}.svc.${CLUSTER_DOMAIN}`;
}

function protocolOf(name: string | undefined, appProtocol?: string): string | undefined {
  const p = portProtocol(name, appProtocol);
  return p === 'UNKNOWN' ? undefined : p;
}

/** The ports the workload serves: its container ports and the Service targetPorts picking it, with their local ports. */
function appPorts(topology: LocalTopology, workload: LocalWorkload, notes: string[], mappings: string[]): LocalPort[] {
  const declared = new Map<number, { name?: string; protocol?: string }>();
  for (const p of workload.ports) declared.set(p.containerPort, { name: p.name, protocol: protocolOf(p.name) });
  for (const s of servicesOf(topology, workload)) {
    for (const sp of s.ports) {
      const target = resolveTargetPort(sp, workload);
      if (target === undefined) {
        notes.push(`Service ${s.namespace}/${s.name} port ${sp.name || sp.port}: targetPort '${sp.targetPort}' names no port of ${workload.deployment}; not served locally`);
        continue;
      }
      const known = declared.get(target);
      declared.set(target, {
        name: known?.name ?? (sp.name || undefined),
        protocol: known?.protocol ?? protocolOf(sp.name, sp.appProtocol),
      });
    }
  }
  const taken = new Set([...declared.keys()].filter((p) => p >= 1024));
  const out: LocalPort[] = [];
  for (const [port, info] of [...declared.entries()].sort(([a], [b]) => a - b)) {
    const local = unprivilegedPort(port, taken);
    taken.add(local);
    if (local !== port) mappings.push(`${workload.deployment} (${workload.namespace}) port ${port} → ${local}`);
    out.push({ declared: port, local, ...(info.name ? { name: info.name } : {}), ...(info.protocol ? { protocol: info.protocol } : {}) });
  }
  return out;
}

/** The egress ports: service ports (from 1024 up) of the Services in front of the running workloads. */
function egressPorts(topology: LocalTopology, running: readonly LocalWorkload[], notes: string[]): LocalPort[] {
  const ports = new Map<number, LocalPort>();
  const privileged = new Set<string>();
  for (const s of topology.services) {
    if (!running.some((w) => w.namespace === s.namespace && servicesOf(topology, w).includes(s))) continue;
    for (const sp of s.ports) {
      if (sp.port < 1024) {
        privileged.add(`${s.namespace}/${s.name}:${sp.port}`);
        continue;
      }
      const known = ports.get(sp.port);
      const protocol = known?.protocol ?? protocolOf(sp.name, sp.appProtocol);
      ports.set(sp.port, { declared: sp.port, local: sp.port, name: known?.name ?? `${(protocol ?? 'tcp').toLowerCase()}-${sp.port}`, ...(protocol ? { protocol } : {}) });
    }
  }
  if (privileged.size > 0) {
    notes.push(`service ports below 1024 get no egress listener locally (apps cannot call them through their sidecar): ${[...privileged].join(', ')}`);
  }
  return [...ports.values()].sort((a, b) => a.declared - b.declared);
}

/** Builds the plan of `topology`. */
export function planLocalMesh(topology: LocalTopology, options: LocalPlanOptions): LocalPlan {
  const allocator = new AddressAllocator(options.addressBlock ?? 0);
  const ingressHost = options.ingressHost ?? DEFAULT_INGRESS_HOST;
  const notes = [...topology.notes];
  const mappings: string[] = [];
  let proxies = 0;

  const running: Array<{ workload: LocalWorkload; program: LocalProgram }> = [];
  for (const w of topology.workloads) {
    const choice = programFor(w);
    if (choice.ok) running.push({ workload: w, program: choice.program });
    else notes.push(choice.reason);
  }
  const egress = egressPorts(topology, running.map((r) => r.workload), notes);

  const replicas: LocalReplica[] = [];
  for (const { workload, program } of running) {
    if (!workload.injected) notes.push(`Deployment ${workload.namespace}/${workload.deployment}: no sidecar injected; the app serves its pod IP directly and calls services without a proxy`);
    const ports = appPorts(topology, workload, notes, mappings);
    for (let i = 0; i < workload.replicas; i++) {
      const a = allocator.allocate();
      const pod = podName(workload.deployment, i + 1);
      replicas.push({
        workload,
        program,
        index: i,
        podName: pod,
        podIp: a.podIp,
        egressIp: a.egressIp,
        appIp: workload.injected ? a.appIp : a.podIp,
        ports,
        egressPorts: workload.injected ? egress : [],
        ...(workload.injected ? {
          proxy: {
            nodeId: nodeId('sidecar', a.podIp, pod, workload.namespace),
            namespace: workload.namespace,
            serviceAccount: workload.serviceAccount ?? 'default',
            labels: { ...workload.labels, [LOCAL_POD_LABEL]: pod },
            adminPort: options.adminPort(proxies++),
          },
        } : {}),
      });
    }
  }

  const routers: LocalRouter[] = [];
  for (const g of topology.gateways) {
    const ingress = g.labels.istio === 'ingressgateway';
    const servers = g.gateways.flatMap((gateway) => gateway.servers.map((server) => ({ gateway, server })));
    // One router per gateway Deployment: its servers bind fixed addresses and
    // ports, which replicas on one machine would fight over.
    if (g.replicas > 1) notes.push(`Deployment ${g.namespace}/${g.deployment}: ${g.replicas} replicas declared, 1 runs locally (gateway replicas would share its bound ports)`);
    for (let i = 0; i < Math.min(g.replicas, 1); i++) {
      const a = allocator.allocate();
      const pod = podName(g.deployment, i + 1);
      const bind = ingress ? ingressHost : a.podIp;
      const taken = new Set<number>();
      const listeners: LocalGatewayListener[] = [];
      for (const { gateway, server } of servers) {
        const declared = server.port.number;
        const given = options.gatewayPorts?.get(declared);
        const local = given ?? unprivilegedPort(declared, taken);
        taken.add(local);
        if (local !== declared && i === 0) mappings.push(`Gateway ${gateway.namespace}/${gateway.name} port ${declared} → ${local} on ${bind}`);
        listeners.push({ gateway, server, declared, local, bind });
      }
      if (servers.length === 0) notes.push(`Deployment ${g.namespace}/${g.deployment}: no Gateway selects it; its router serves nothing`);
      routers.push({
        gateway: g,
        index: i,
        podName: pod,
        podIp: a.podIp,
        listeners,
        ingress,
        proxy: {
          nodeId: nodeId('router', a.podIp, pod, g.namespace),
          namespace: g.namespace,
          serviceAccount: g.serviceAccount ?? 'default',
          labels: { ...g.labels, [LOCAL_POD_LABEL]: pod },
          adminPort: options.adminPort(proxies++),
        },
      });
    }
  }
  return { replicas, routers, notes, portMappings: mappings };
}

/** The URL of the ingress gateway's first HTTP server, e.g. `http://127.0.0.1:8080`. */
export function ingressUrl(plan: LocalPlan): string | undefined {
  const router = plan.routers.find((r) => r.ingress) ?? plan.routers[0];
  const http = router?.listeners.find((l) => ['HTTP', 'HTTP2'].includes((l.server.port.protocol ?? '').toUpperCase()));
  return http ? `http://${http.bind}:${http.local}` : undefined;
}
