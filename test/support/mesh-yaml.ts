/** Writers of the Istio/Kubernetes YAML documents end-to-end tests put in a control plane's config dir (namespace default). */

export interface NamedPort {
  readonly name: string;
  readonly port: number;
}

/** A Service `name` selecting `app: <name>`. */
export function kubeServiceYaml(name: string, ports: readonly NamedPort[]): string {
  return `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec:
  selector: { app: ${name} }
  ports: [${ports.map((p) => `{ name: ${p.name}, port: ${p.port} }`).join(', ')}]
`;
}

/** A DestinationRule for `host` with one subset per version (labels `version: <subset>`). */
export function versionSubsetsYaml(host: string, subsets: readonly string[]): string {
  return `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${host}, namespace: default }
spec:
  host: ${host}
  subsets:
${subsets.map((v) => `  - { name: ${v}, labels: { version: ${v} } }`).join('\n')}
`;
}

export interface WorkloadEntryOptions {
  readonly name: string;
  readonly address: string;
  /** Port name → number. */
  readonly ports: Readonly<Record<string, number>>;
  /** @default none */
  readonly serviceAccount?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function workloadEntryYaml(o: WorkloadEntryOptions): string {
  const map = (m: Readonly<Record<string, string | number>>): string => `{ ${Object.entries(m).map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
  return `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ${o.name}, namespace: default }
spec:
  address: ${o.address}
  ports: ${map(o.ports)}
${o.serviceAccount !== undefined ? `  serviceAccount: ${o.serviceAccount}\n` : ''}  labels: ${map(o.labels)}
`;
}

export interface SidecarPort {
  readonly number: number;
  readonly protocol: 'HTTP' | 'TCP';
  readonly name: string;
}

/** An inbound listener on `bind`:`port.number` without capture, forwarding to `defaultEndpoint`. */
export interface SidecarIngressListener {
  readonly port: SidecarPort;
  readonly bind: string;
  readonly defaultEndpoint: string;
}

/** An outbound listener: on `bind`:`port.number` without capture when both are given, else the catch-all one. */
export interface SidecarEgressListener {
  readonly port?: SidecarPort;
  readonly bind?: string;
  readonly hosts: readonly string[];
}

/** A Sidecar `name` selecting `app: <name>`. */
export function sidecarResourceYaml(name: string, listeners: { readonly ingress?: readonly SidecarIngressListener[]; readonly egress?: readonly SidecarEgressListener[] }): string {
  const port = (p: SidecarPort): string => `{ number: ${p.number}, protocol: ${p.protocol}, name: ${p.name} }`;
  const ingress = (listeners.ingress ?? []).map((l) => `  - port: ${port(l.port)}
    bind: ${l.bind}
    captureMode: NONE
    defaultEndpoint: ${l.defaultEndpoint}
`).join('');
  const egress = (listeners.egress ?? []).map((l) => {
    const hosts = `[${l.hosts.map((h) => JSON.stringify(h)).join(', ')}]`;
    if (l.port === undefined || l.bind === undefined) return `  - hosts: ${hosts}\n`;
    return `  - port: ${port(l.port)}
    bind: ${l.bind}
    captureMode: NONE
    hosts: ${hosts}
`;
  }).join('');
  return `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: ${name}, namespace: default }
spec:
  workloadSelector: { labels: { app: ${name} } }
${ingress !== '' ? `  ingress:\n${ingress}` : ''}${egress !== '' ? `  egress:\n${egress}` : ''}`;
}

export const HTTP_9080: SidecarPort = { number: 9080, protocol: 'HTTP', name: 'http' };
