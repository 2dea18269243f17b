import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PROXY_UID, WellKnownPorts } from '../../control-plane/ports';
import type { InjectionTarget, SynthTimeInjectionOptions } from '../sidecar-injection';
import {
  ALL_CAPABILITIES, PROXY_CONTAINER_NAME, PROXY_VOLUME_NAME, proxyContainer,
} from './proxy-container';

/** Name of the traffic-capture init container, Istio's. */
export const INIT_CONTAINER_NAME = 'istio-init';

/** Pod annotation Istio's injector writes, listing what it added. */
export const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';

/** Label that marks endpoints whose proxy speaks Istio mutual TLS (auto mTLS keys on it). */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/**
 * Synth-time injection, the equivalent of `istioctl kube-inject`:
 *
 * - `istio-init` runs `meshform capture`, which installs the redirect rules (outbound
 *   to 15001, inbound to 15006, the proxy's own uid 1337 exempt). It is the only
 *   container that runs as root, and only with NET_ADMIN and NET_RAW.
 * - `istio-proxy` runs `meshform proxy` as uid 1337 on a read-only root filesystem,
 *   connects to the mesh's xDS server, and reports ready on 15021 `/healthz/ready`.
 * - the pod is annotated the way Istio's injector annotates it, so tools that read
 *   `sidecar.istio.io/status` see an injected pod.
 */
export function injectSidecar(target: InjectionTarget, options: SynthTimeInjectionOptions): void {
  const { deployment, mesh } = target;
  const image = options.image ?? mesh.proxyImage;
  const envoyVolume = kplus.Volume.fromEmptyDir(target.scope, 'IstioEnvoyVolume', PROXY_VOLUME_NAME, {
    medium: kplus.EmptyDirMedium.MEMORY,
  });

  deployment.addInitContainer({
    name: INIT_CONTAINER_NAME,
    image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: [
      'capture',
      '--proxy-uid', String(PROXY_UID),
      '--proxy-gid', String(PROXY_UID),
      '--outbound-port', String(WellKnownPorts.OUTBOUND_CAPTURE),
      '--inbound-port', String(WellKnownPorts.INBOUND_CAPTURE),
      '--include-inbound-ports', '*',
      '--exclude-inbound-ports', [WellKnownPorts.PROXY_PROMETHEUS, WellKnownPorts.HEALTH, WellKnownPorts.MERGED_METRICS].join(','),
      '--include-outbound-cidrs', '*',
    ],
    resources: {
      cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
    },
    securityContext: {
      // Installing redirect rules in the pod's network namespace needs root with
      // NET_ADMIN and NET_RAW; nothing else.
      ensureNonRoot: false,
      user: 0,
      group: 0,
      privileged: false,
      allowPrivilegeEscalation: false,
      // iptables takes its lock under /run, as in Istio's istio-init.
      readOnlyRootFilesystem: false,
      capabilities: { add: [kplus.Capability.NET_ADMIN, kplus.Capability.NET_RAW], drop: [ALL_CAPABILITIES] },
    },
  });

  deployment.addContainer(proxyContainer({
    image,
    xdsAddress: mesh.xdsAddress,
    nodeType: 'sidecar',
    envoyVolume,
    resources: options.resources,
  }));

  const pod = deployment.podMetadata;
  pod.addLabel(TLS_MODE_LABEL, 'istio');
  pod.addAnnotation(SIDECAR_STATUS_ANNOTATION, JSON.stringify({
    initContainers: [INIT_CONTAINER_NAME],
    containers: [PROXY_CONTAINER_NAME],
    volumes: [PROXY_VOLUME_NAME],
    imagePullSecrets: null,
    revision: 'default',
  }));
  pod.addAnnotation('kubectl.kubernetes.io/default-container', target.appContainerName);
  pod.addAnnotation('prometheus.io/scrape', 'true');
  pod.addAnnotation('prometheus.io/port', String(WellKnownPorts.PROXY_PROMETHEUS));
  pod.addAnnotation('prometheus.io/path', '/stats/prometheus');
}
