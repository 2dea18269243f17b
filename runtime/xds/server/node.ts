/** What the control plane knows of a connected proxy, from the `node` of its first request. */
import { NodeMessage, structToJson } from '../protos';

export interface NodeInfo {
  /** Istio form: `sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local`. */
  readonly id: string;
  readonly cluster: string;
  /** Node metadata as plain JSON (Istio puts labels, namespace, … here). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
  readonly userAgentName?: string;
}

/** Converts the wire node; `undefined` when it is absent or has no id. */
export function nodeInfo(node: NodeMessage | null | undefined): NodeInfo | undefined {
  if (!node || typeof node.id !== 'string' || node.id === '') return undefined;
  const locality = node.locality
    ? { region: node.locality.region, zone: node.locality.zone, subZone: node.locality.sub_zone }
    : undefined;
  return {
    id: node.id,
    cluster: node.cluster ?? '',
    metadata: structToJson(node.metadata),
    ...(locality ? { locality } : {}),
    ...(node.user_agent_name ? { userAgentName: node.user_agent_name } : {}),
  };
}
