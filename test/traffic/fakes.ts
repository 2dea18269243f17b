import { App, Chart, Testing } from 'cdk8s';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { Sidecar } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/RequestAuthentication';
import type { IMeshServiceTarget } from '../../constructs/service-target';

/** A stand-in for a MeshService: only what traffic intents read. */
export function fakeService(name: string, versions: string[] = [], namespace = 'default'): IMeshServiceTarget & { versions: string[] } {
  return {
    serviceName: name,
    namespace,
    fqdn: `${name}.${namespace}.svc.cluster.local`,
    versions,
    ports: [{ name: 'http', port: 9080 }],
  };
}

/** A chart whose path is `bookinfo`, so constructs in it have paths like `bookinfo/reviews`. */
export function chart(): Chart {
  const app = new App({ outdir: Testing.app().outdir });
  return new Chart(app, 'bookinfo');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

const VALIDATORS: Record<string, new (data: Manifest) => { validate(): void }> = {
  VirtualService,
  DestinationRule,
  ServiceEntry,
  Sidecar,
  PeerAuthentication,
  AuthorizationPolicy,
  RequestAuthentication,
};

/**
 * Synthesizes the chart and checks every Istio object against the independent
 * @kubernetes-models/istio schemas (v1beta1 classes; same schema as v1).
 */
export function synthValid(c: Chart): Manifest[] {
  const out = Testing.synth(c);
  for (const m of out) {
    const V = VALIDATORS[m.kind];
    if (!V) {
      continue;
    }
    const copy = JSON.parse(JSON.stringify(m));
    copy.apiVersion = copy.apiVersion.replace(/\/v1$/, '/v1beta1');
    new V(copy).validate();
  }
  return out;
}

/** The objects of one kind. */
export function ofKind(out: Manifest[], kind: string): Manifest[] {
  return out.filter((m) => m.kind === kind);
}
