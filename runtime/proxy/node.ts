/**
 * The proxy's xDS node: the id in Istio's form
 * (`sidecar~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local`, `router~...` for
 * gateways) and the node metadata an Istio proxy sends (NAMESPACE, LABELS,
 * WORKLOAD_NAME, INTERCEPTION_MODE, ...). GENERATOR is left out: it marks
 * proxyless gRPC clients, and this proxy wants Envoy-style resources.
 *
 * Built from command-line-like options (`--node-id`, `--labels k=v,...`,
 * `--namespace`, ...), either given as an object or parsed from argv.
 */
import { Command } from 'commander';
import * as net from 'net';
import type { NodeMessage, StructMessage, ValueMessage } from '../xds/protos';
import { parseNodeId, ProxyType } from '../xds/translate/proxy-identity';

export type { ProxyType } from '../xds/translate/proxy-identity';

/** How the proxy's traffic is captured (Istio's INTERCEPTION_MODE). */
export type InterceptionMode = 'REDIRECT' | 'TPROXY' | 'NONE';

export interface ProxyNodeOptions {
  /**
   * The full node id. When given, type, IP, pod name and namespace are read from it.
   * @default built from `type`, `ip`, `podName`, `namespace` and `dnsDomain`
   */
  readonly nodeId?: string;
  /** @default 'sidecar' */
  readonly type?: ProxyType;
  /** The workload's address. @default '127.0.0.1' */
  readonly ip?: string;
  /** @default the workload name, else 'proxy' */
  readonly podName?: string;
  /** @default 'default' (or the namespace of `nodeId`) */
  readonly namespace?: string;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Workload labels, as an object or as `k=v,k2=v2`. @default {} */
  readonly labels?: Readonly<Record<string, string>> | string;
  /**
   * Istio's WORKLOAD_NAME (the Deployment's name).
   * @default the pod name without a `-<replicaset hash>-<pod hash>` suffix
   */
  readonly workloadName?: string;
  /** @default 'REDIRECT' */
  readonly interceptionMode?: InterceptionMode;
  /**
   * `node.cluster`, Istio's service cluster.
   * @default `<labels.app or workload name>.<namespace>`
   */
  readonly cluster?: string;
  /** Istio's CLUSTER_ID. @default 'Kubernetes' */
  readonly clusterId?: string;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
  /** Extra metadata entries (string values), merged over the computed ones. @default {} */
  readonly extraMetadata?: Readonly<Record<string, string>>;
}

/** The node this proxy announces to the control plane. */
export interface ProxyNode {
  readonly id: string;
  readonly type: ProxyType;
  readonly ip: string;
  readonly podName: string;
  readonly namespace: string;
  /** `NAMESPACE.svc.cluster.local`. */
  readonly dnsDomain: string;
  readonly cluster: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly workloadName: string;
  readonly interceptionMode: InterceptionMode;
  /** Node metadata as plain JSON (what the control plane's `nodeInfo` returns). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
}

/** An option that cannot be used; the message names the option, what was expected and what was given. */
export class ProxyNodeError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ProxyNodeError';
  }
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const INTERCEPTION_MODES: readonly InterceptionMode[] = ['REDIRECT', 'TPROXY', 'NONE'];
/** `reviews-v1-6b746f74dc-9stvs` → `reviews-v1` (ReplicaSet hash, then pod suffix). */
const POD_SUFFIX = /-[a-z0-9]{5,10}-[a-z0-9]{5}$/;

/** Parses `k=v,k2=v2` (Kubernetes label syntax); throws {@link ProxyNodeError} naming the bad entry. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed === '') return labels;
  for (const entry of trimmed.split(',')) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new ProxyNodeError(`--labels: entry '${entry}' must be key=value`);
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    checkLabel(key, value);
    if (key in labels) throw new ProxyNodeError(`--labels: key '${key}' is given twice`);
    labels[key] = value;
  }
  return labels;
}

function checkLabel(key: string, value: string): void {
  if (!LABEL_KEY.test(key)) throw new ProxyNodeError(`--labels: '${key}' is not a valid label key (expected [prefix/]name of at most 63 alphanumerics, '-', '_', '.')`);
  if (!LABEL_VALUE.test(value)) throw new ProxyNodeError(`--labels: value '${value}' of '${key}' is not a valid label value (at most 63 alphanumerics, '-', '_', '.')`);
}

/** Builds the node; throws {@link ProxyNodeError} for options that disagree or are malformed. */
export function buildProxyNode(options: ProxyNodeOptions = {}): ProxyNode {
  const labels = typeof options.labels === 'string' ? parseLabels(options.labels) : { ...(options.labels ?? {}) };
  if (typeof options.labels !== 'string') for (const [k, v] of Object.entries(labels)) checkLabel(k, v);
  const interceptionMode = options.interceptionMode ?? 'REDIRECT';
  if (!INTERCEPTION_MODES.includes(interceptionMode)) {
    throw new ProxyNodeError(`--interception-mode: expected one of ${INTERCEPTION_MODES.join(', ')}, got '${String(interceptionMode)}'`);
  }

  let id: string;
  let type: ProxyType;
  let ip: string;
  let podName: string;
  let namespace: string;
  let dnsDomain: string;
  if (options.nodeId !== undefined) {
    let parsed: ReturnType<typeof parseNodeId>;
    try {
      parsed = parseNodeId(options.nodeId);
    } catch (err) {
      throw new ProxyNodeError(`--node-id: ${(err as Error).message}`);
    }
    ({ id, type, ip, podName, namespace, dnsDomain } = parsed);
    const given: ReadonlyArray<[string, string | undefined, string]> = [
      ['--namespace', options.namespace, namespace],
      ['--type', options.type, type],
      ['--ip', options.ip, ip],
      ['--pod', options.podName, podName],
    ];
    for (const [flag, value, fromId] of given) {
      if (value !== undefined && value !== fromId) {
        throw new ProxyNodeError(`${flag} '${value}' differs from the node id '${id}', which says '${fromId}'`);
      }
    }
  } else {
    type = options.type ?? 'sidecar';
    ip = options.ip ?? '127.0.0.1';
    if (net.isIP(ip) === 0) throw new ProxyNodeError(`--ip: expected an IP address, got '${ip}'`);
    namespace = options.namespace ?? 'default';
    podName = options.podName ?? options.workloadName ?? 'proxy';
    dnsDomain = `${namespace}.svc.${options.clusterDomain ?? 'cluster.local'}`;
    id = `${type}~${ip}~${podName}.${namespace}~${dnsDomain}`;
    try {
      parseNodeId(id);
    } catch (err) {
      throw new ProxyNodeError(`node id built from --type/--ip/--pod/--namespace is invalid: ${(err as Error).message}`);
    }
  }

  const workloadName = options.workloadName ?? podName.replace(POD_SUFFIX, '');
  const cluster = options.cluster ?? `${labels.app ?? workloadName}.${namespace}`;
  const metadata: Record<string, unknown> = {
    NAME: podName,
    NAMESPACE: namespace,
    INSTANCE_IPS: ip,
    LABELS: labels,
    WORKLOAD_NAME: workloadName,
    INTERCEPTION_MODE: interceptionMode,
    CLUSTER_ID: options.clusterId ?? 'Kubernetes',
    ...(options.extraMetadata ?? {}),
  };
  delete metadata.GENERATOR;
  return {
    id,
    type,
    ip,
    podName,
    namespace,
    dnsDomain,
    cluster,
    labels,
    workloadName,
    interceptionMode,
    metadata,
    ...(options.locality ? { locality: options.locality } : {}),
  };
}

/** The node as sent in the first discovery request of a stream. */
export function nodeMessage(node: ProxyNode): NodeMessage {
  return {
    id: node.id,
    cluster: node.cluster,
    metadata: jsonToStruct(node.metadata),
    ...(node.locality
      ? { locality: { region: node.locality.region ?? '', zone: node.locality.zone ?? '', sub_zone: node.locality.subZone ?? '' } }
      : {}),
    user_agent_name: 'meshform-proxy',
  };
}

function jsonToStruct(json: Readonly<Record<string, unknown>>): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [k, v] of Object.entries(json)) fields[k] = jsonToValue(v);
  return { fields };
}

function jsonToValue(value: unknown): ValueMessage {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  return { structValue: jsonToStruct(value as Record<string, unknown>) };
}

/**
 * Reads the node options from command-line arguments (other arguments are
 * ignored): `--node-id`, `--type`, `--ip`, `--pod`, `--namespace`,
 * `--cluster-domain`, `--labels k=v,...`, `--workload-name`,
 * `--interception-mode`, `--service-cluster`.
 */
export function proxyNodeOptionsFromArgs(argv: readonly string[]): ProxyNodeOptions {
  const program = new Command()
    .exitOverride()
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .option('--node-id <id>')
    .option('--type <type>')
    .option('--ip <ip>')
    .option('--pod <name>')
    .option('--namespace <ns>')
    .option('--cluster-domain <domain>')
    .option('--labels <k=v,...>')
    .option('--workload-name <name>')
    .option('--interception-mode <mode>')
    .option('--service-cluster <name>');
  program.parse([...argv], { from: 'user' });
  const o = program.opts<Record<string, string | undefined>>();
  if (o.type !== undefined && o.type !== 'sidecar' && o.type !== 'router') {
    throw new ProxyNodeError(`--type: expected 'sidecar' or 'router', got '${o.type}'`);
  }
  const pick = <K extends keyof ProxyNodeOptions>(key: K, value: ProxyNodeOptions[K] | undefined): Partial<ProxyNodeOptions> =>
    value === undefined ? {} : { [key]: value };
  return {
    ...pick('nodeId', o.nodeId),
    ...pick('type', o.type as ProxyType | undefined),
    ...pick('ip', o.ip),
    ...pick('podName', o.pod),
    ...pick('namespace', o.namespace),
    ...pick('clusterDomain', o.clusterDomain),
    ...pick('labels', o.labels),
    ...pick('workloadName', o.workloadName),
    ...pick('interceptionMode', o.interceptionMode as InterceptionMode | undefined),
    ...pick('cluster', o.serviceCluster),
  };
}
