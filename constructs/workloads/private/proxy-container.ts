import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CLUSTER_DOMAIN, PROXY_UID, WellKnownPorts } from '../../control-plane/ports';

/** Istio's proxy types: `sidecar` next to an application, `router` for gateways. */
export type ProxyNodeType = 'sidecar' | 'router';

/** Name of the proxy container, Istio's, so `kubectl logs -c istio-proxy` keeps working. */
export const PROXY_CONTAINER_NAME = 'istio-proxy';

/** Name of the proxy's writable scratch volume (bootstrap config, sockets). */
export const PROXY_VOLUME_NAME = 'istio-envoy';

/** `ALL`, which cdk8s-plus' Capability enum lacks, for `drop`. */
export const ALL_CAPABILITIES = 'ALL' as kplus.Capability;

/** Proxy resources when none are given, Istio's sidecar defaults. */
export function defaultProxyResources(): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(2000) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(1024) },
  };
}

export interface ProxyContainerOptions {
  readonly image: string;
  readonly xdsAddress: string;
  readonly nodeType: ProxyNodeType;
  readonly envoyVolume: kplus.Volume;
  readonly resources?: kplus.ContainerResources;
  /** Ports the proxy itself listens on besides health and metrics (gateways). */
  readonly ports?: kplus.ContainerPort[];
}

/**
 * The Istio node id of a proxy, `<type>~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`,
 * filled in by Kubernetes from the downward-API variables of the container.
 */
export function proxyNodeId(nodeType: ProxyNodeType): string {
  return `${nodeType}~$(POD_IP)~$(POD_NAME).$(POD_NAMESPACE)~$(POD_NAMESPACE).svc.${CLUSTER_DOMAIN}`;
}

/** The `istio-proxy` container, as sidecars and gateways run it. */
export function proxyContainer(options: ProxyContainerOptions): kplus.ContainerProps {
  return {
    name: PROXY_CONTAINER_NAME,
    image: options.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: ['proxy', '--xds-address', options.xdsAddress, '--node-id', proxyNodeId(options.nodeType)],
    envVariables: {
      POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
      SERVICE_ACCOUNT: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.SERVICE_ACCOUNT_NAME),
    },
    ports: [
      ...(options.ports ?? []),
      { name: 'status-port', number: WellKnownPorts.HEALTH },
      { name: 'http-envoy-prom', number: WellKnownPorts.PROXY_PROMETHEUS },
    ],
    readiness: kplus.Probe.fromHttpGet('/healthz/ready', {
      port: WellKnownPorts.HEALTH,
      initialDelaySeconds: Duration.seconds(1),
      periodSeconds: Duration.seconds(2),
      failureThreshold: 30,
    }),
    resources: options.resources ?? defaultProxyResources(),
    securityContext: {
      ensureNonRoot: true,
      user: PROXY_UID,
      group: PROXY_UID,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: [ALL_CAPABILITIES] },
    },
    volumeMounts: [{ path: '/etc/istio/proxy', volume: options.envoyVolume }],
  };
}
