/**
 * Who a proxy is, from its xDS node: the id `TYPE~IP~POD.NAMESPACE~NAMESPACE.svc.DOMAIN`
 * (TYPE `sidecar` or `router`) and the node metadata Istio proxies send
 * (NAMESPACE, LABELS, WORKLOAD_NAME, GENERATOR).
 */
import * as net from 'net';

export type ProxyType = 'sidecar' | 'router';

export interface ProxyIdentity {
  readonly id: string;
  readonly type: ProxyType;
  /** The workload's address (first IP of the id). */
  readonly ip: string;
  readonly podName: string;
  readonly namespace: string;
  /** `default.svc.cluster.local`. */
  readonly dnsDomain: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly workloadName?: string;
  /** `grpc` for proxyless gRPC clients; absent for Envoy-style proxies. */
  readonly generator?: string;
  /** Traffic capture of the proxy (`REDIRECT`, `TPROXY`, `NONE`: no capture, as in local mode). */
  readonly interceptionMode?: string;
}

/** A node id or metadata that cannot be read; the message says which part and why. */
export class ProxyIdentityError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ProxyIdentityError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The fields of a node id. Throws {@link ProxyIdentityError} for a malformed id. */
export function parseNodeId(id: string): Pick<ProxyIdentity, 'id' | 'type' | 'ip' | 'podName' | 'namespace' | 'dnsDomain'> {
  const expected = "expected 'sidecar~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local' or 'router~...'";
  const parts = id.split('~');
  if (parts.length !== 4) throw new ProxyIdentityError(`node id '${id}': ${expected}, got ${parts.length} '~'-separated part(s)`);
  const [type, ip, podDotNs, dnsDomain] = parts as [string, string, string, string];
  if (type !== 'sidecar' && type !== 'router') throw new ProxyIdentityError(`node id '${id}': type must be 'sidecar' or 'router', got '${type}'`);
  if (net.isIP(ip) === 0) throw new ProxyIdentityError(`node id '${id}': '${ip}' is not an IP address (${expected})`);
  const dot = podDotNs.lastIndexOf('.');
  if (dot <= 0 || dot === podDotNs.length - 1) throw new ProxyIdentityError(`node id '${id}': third part must be POD.NAMESPACE, got '${podDotNs}'`);
  const podName = podDotNs.slice(0, dot);
  const namespace = podDotNs.slice(dot + 1);
  if (!DNS_LABEL.test(namespace)) throw new ProxyIdentityError(`node id '${id}': namespace '${namespace}' is not a DNS-1123 label`);
  const domainNamespace = dnsDomain.split('.')[0];
  if (!dnsDomain.includes('.svc.') || domainNamespace !== namespace) {
    throw new ProxyIdentityError(`node id '${id}': fourth part must be '${namespace}.svc.<cluster domain>', got '${dnsDomain}'`);
  }
  return { id, type, ip, podName, namespace, dnsDomain };
}

/** A node as the server hands it over: id and metadata as plain JSON (see `nodeInfo`). */
export interface NodeLike {
  readonly id: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The identity of a node. Throws {@link ProxyIdentityError} for a malformed id or metadata. */
export function proxyIdentity(node: NodeLike): ProxyIdentity {
  const base = parseNodeId(node.id);
  const md = node.metadata ?? {};
  if (md.NAMESPACE !== undefined && md.NAMESPACE !== base.namespace) {
    throw new ProxyIdentityError(`node '${node.id}': metadata NAMESPACE '${String(md.NAMESPACE)}' differs from the id's namespace '${base.namespace}'`);
  }
  const labels: Record<string, string> = {};
  if (md.LABELS !== undefined) {
    if (typeof md.LABELS !== 'object' || md.LABELS === null || Array.isArray(md.LABELS)) {
      throw new ProxyIdentityError(`node '${node.id}': metadata LABELS must be an object of strings`);
    }
    for (const [k, v] of Object.entries(md.LABELS)) {
      if (typeof v !== 'string') throw new ProxyIdentityError(`node '${node.id}': metadata LABELS.${k} must be a string, got ${JSON.stringify(v)}`);
      labels[k] = v;
    }
  }
  return {
    ...base,
    labels,
    ...(typeof md.WORKLOAD_NAME === 'string' ? { workloadName: md.WORKLOAD_NAME } : {}),
    ...(typeof md.GENERATOR === 'string' ? { generator: md.GENERATOR } : {}),
    ...(typeof md.INTERCEPTION_MODE === 'string' ? { interceptionMode: md.INTERCEPTION_MODE } : {}),
  };
}
