/** Small manifest builders for the analysis tests (plain objects, as YAML would give). */
import { analyzeManifests, AnalysisRule, Finding } from '../../constructs/analysis';

type Json = Record<string, unknown>;

const meta = (name: string, namespace?: string, extra: Json = {}) => ({ name, ...(namespace ? { namespace } : {}), ...extra });

export function service(name: string, namespace = 'default', spec: Json = {}): Json {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: meta(name, namespace),
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }], ...spec },
  };
}

export function deployment(name: string, labels: Record<string, string>, namespace = 'default', annotations?: Record<string, string>): Json {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name, namespace),
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'app', image: 'example/app' }] } },
    },
  };
}

export function virtualService(name: string, spec: Json, namespace = 'default'): Json {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta(name, namespace), spec };
}

export function destinationRule(name: string, spec: Json, namespace = 'default'): Json {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta(name, namespace), spec };
}

export function gateway(name: string, namespace = 'default', hosts: string[] = ['*']): Json {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: meta(name, namespace),
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }] },
  };
}

export function serviceEntry(name: string, spec: Json, namespace = 'default'): Json {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta(name, namespace), spec };
}

export function peerAuthentication(name: string, namespace: string, spec: Json = { mtls: { mode: 'STRICT' } }): Json {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta(name, namespace), spec };
}

/** A route to `host` (and `subset`) with an optional weight. */
export function to(host: string, subset?: string, weight?: number): Json {
  return { destination: { host, ...(subset ? { subset } : {}) }, ...(weight !== undefined ? { weight } : {}) };
}

/** The source each fixture gets: `obj#<index>`. */
export const sourceOf = (index: number) => `obj#${index}`;

/** Runs `rule` alone (or every rule) over `objects`. */
export function check(objects: readonly unknown[], rule?: AnalysisRule): Finding[] {
  return analyzeManifests(objects.map((object, i) => ({ object, source: sourceOf(i) })), rule ? { rules: [rule] } : {});
}

/**
 * Bookinfo's reviews service, correct in every respect the rules look at:
 * a Service, three versioned Deployments, a DestinationRule with their subsets,
 * and a VirtualService splitting v1/v3.
 */
export function goodReviews(): Json[] {
  return [
    service('reviews'),
    deployment('reviews-v1', { app: 'reviews', version: 'v1' }),
    deployment('reviews-v2', { app: 'reviews', version: 'v2' }),
    deployment('reviews-v3', { app: 'reviews', version: 'v3' }),
    destinationRule('reviews', {
      host: 'reviews',
      subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
    }),
    virtualService('reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1', 50), to('reviews', 'v3', 50)] }] }),
  ];
}
