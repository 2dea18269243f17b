/**
 * Bookinfo, the seed scenario: productpage, details, reviews v1/v2/v3 and ratings
 * behind the ingress gateway, httpbin behind a circuit breaker, and an external
 * host reached through a ServiceEntry with a 3 s timeout.
 *
 * One chart renders every scenario the seed walks through; pick one with the
 * `scenario` prop or the `scenario` context (`meshform synth --context scenario=split-50`).
 */
import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import { MtlsMode } from '../constructs/control-plane';
import { GatewayServer } from '../constructs/gateways';
import { Mesh } from '../constructs/mesh';
import {
  ConnectionPool, ExternalService, Fault, HttpMatch, OutlierDetection, RouteTarget,
  ServiceLocation, ServiceResolution, ServiceTraffic,
} from '../constructs/traffic';
import { MeshService } from '../constructs/workloads';

/**
 * The bookinfo variants of the seed text:
 * - `all-v1`: every request to reviews goes to v1 (no stars);
 * - `jason-v2`: requests with `end-user: jason` go to reviews v2, all others to v3;
 * - `split-50`: reviews traffic splits 50/50 between v1 and v3;
 * - `ratings-delay`: `jason-v2`, plus a 7 s delay on every ratings call made for jason.
 */
export type BookinfoScenario = 'all-v1' | 'jason-v2' | 'split-50' | 'ratings-delay';

/** Every bookinfo scenario, in the order the seed text introduces them. */
export const BOOKINFO_SCENARIOS: readonly BookinfoScenario[] = ['all-v1', 'jason-v2', 'split-50', 'ratings-delay'];

/** The scenario rendered when none is chosen. */
export const DEFAULT_SCENARIO: BookinfoScenario = 'jason-v2';

export interface BookinfoProps {
  /** Which variant to render. @default - the `scenario` context, else 'jason-v2' */
  readonly scenario?: BookinfoScenario;
  /** Namespace of the sample's workloads. @default 'default' */
  readonly namespace?: string;
  /** Image of the control plane and proxies. @default - the Mesh default */
  readonly image?: string;
  /** Replicas of every sample workload version. @default 1 */
  readonly replicas?: number;
  /** Mesh-wide mTLS mode. @default MtlsMode.STRICT */
  readonly mtls?: MtlsMode | 'STRICT' | 'PERMISSIVE' | 'DISABLE';
}

const SAMPLE_IMAGES = 'docker.io/istio';
const SAMPLE_TAG = '1.20.2';
const BOOKINFO_PORT = 9080;
const DEFAULT_NAMESPACE = 'default';
const DEFAULT_REPLICAS = 1;
/** The external host of the seed's ServiceEntry example. */
export const EXTERNAL_HOST = 'httpbin.org';

/** Reads and checks the scenario from props or context. */
export function resolveScenario(scope: Construct, given?: string): BookinfoScenario {
  const raw: unknown = given ?? scope.node.tryGetContext('scenario') ?? DEFAULT_SCENARIO;
  if (typeof raw === 'string' && (BOOKINFO_SCENARIOS as readonly string[]).includes(raw)) return raw as BookinfoScenario;
  throw new Error(`${scope.node.path}: scenario must be one of ${BOOKINFO_SCENARIOS.join(', ')} (got ${JSON.stringify(raw)})`);
}

export class BookinfoChart extends Chart {
  public readonly scenario: BookinfoScenario;
  public readonly mesh: Mesh;

  constructor(scope: Construct, id: string, props: BookinfoProps = {}) {
    super(scope, id);
    this.scenario = resolveScenario(this, props.scenario);
    const namespace = props.namespace ?? DEFAULT_NAMESPACE;
    const replicas = props.replicas ?? DEFAULT_REPLICAS;

    this.mesh = new Mesh(this, 'mesh', { image: props.image, mtls: (props.mtls ?? MtlsMode.STRICT) as MtlsMode });
    if (namespace !== DEFAULT_NAMESPACE) {
      new kplus.Namespace(this, 'namespace', { metadata: { name: namespace } });
    }

    const service = (name: string, versions: readonly string[], port = BOOKINFO_PORT, targetPort?: number): MeshService =>
      this.mesh.addService(name, {
        name,
        namespace,
        ports: [{ name: 'http', port, targetPort }],
        versions: versions.map((version) => ({
          version,
          image: `${SAMPLE_IMAGES}/examples-bookinfo-${name}-${version}:${SAMPLE_TAG}`,
          replicas,
        })),
      });

    const productpage = service('productpage', ['v1']);
    const details = service('details', ['v1']);
    const reviews = service('reviews', ['v1', 'v2', 'v3']);
    const ratings = service('ratings', ['v1']);

    // The front door: every public path of the sample goes to productpage.
    const ingress = this.mesh.addIngressGateway('ingress', {
      servers: [GatewayServer.http({ port: 80, hosts: ['*'] })],
    });
    const front = new ServiceTraffic(this, 'bookinfo', {
      service: productpage,
      name: 'bookinfo',
      hosts: ['*'],
      gateways: [ingress.gatewayName],
      includeMesh: false,
    });
    front.addRoute({
      match: [
        HttpMatch.exact('/productpage'),
        HttpMatch.prefix('/static'),
        HttpMatch.exact('/login'),
        HttpMatch.exact('/logout'),
        HttpMatch.prefix('/api/v1/products'),
      ],
      to: RouteTarget.service(productpage, { port: BOOKINFO_PORT }),
    });

    // Every service gets its versions as subsets (Istio's destination-rule-all).
    const traffic = new Map<MeshService, ServiceTraffic>();
    for (const s of [productpage, details, reviews, ratings]) {
      traffic.set(s, new ServiceTraffic(this, `${s.serviceName}-traffic`, { service: s }));
    }
    const to = (s: MeshService): ServiceTraffic => traffic.get(s)!;
    to(productpage).addRoute({ to: RouteTarget.version('v1') });
    to(details).addRoute({ to: RouteTarget.version('v1') });

    const jason = HttpMatch.header('end-user', 'jason');
    switch (this.scenario) {
      case 'all-v1':
        to(reviews).addRoute({ to: RouteTarget.version('v1') });
        break;
      case 'jason-v2':
      case 'ratings-delay':
        to(reviews).addRoute({ match: [jason], to: RouteTarget.version('v2') });
        to(reviews).addRoute({ to: RouteTarget.version('v3') });
        break;
      case 'split-50':
        to(reviews).addRoute({ to: RouteTarget.split({ v1: 50, v3: 50 }) });
        break;
    }
    if (this.scenario === 'ratings-delay') {
      to(ratings).addRoute({
        match: [jason],
        fault: Fault.delay({ fixedDelay: Duration.seconds(7), percentage: 100 }),
        to: RouteTarget.version('v1'),
      });
    }
    to(ratings).addRoute({ to: RouteTarget.version('v1') });

    // httpbin behind a circuit breaker: one connection, one pending request, and
    // a host ejected after a single error.
    const httpbin = this.mesh.addService('httpbin', {
      name: 'httpbin',
      namespace,
      ports: [{ name: 'http', port: 8000, targetPort: 80 }],
      versions: [{ version: 'v1', image: 'docker.io/kong/httpbin:0.1.0', replicas }],
    });
    new ServiceTraffic(this, 'httpbin-traffic', {
      service: httpbin,
      trafficPolicy: {
        connectionPool: ConnectionPool.of({
          tcp: { maxConnections: 1 },
          http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
        }),
        outlierDetection: OutlierDetection.of({
          consecutive5xxErrors: 1,
          interval: Duration.seconds(1),
          baseEjectionTime: Duration.minutes(3),
          maxEjectionPercent: 100,
        }),
      },
    });

    // The load client of the circuit-breaker walkthrough.
    this.mesh.addService('fortio', {
      name: 'fortio',
      namespace,
      ports: [{ name: 'http-fortio', port: 8080 }],
      versions: [{ version: 'v1', image: 'fortio/fortio:1.63.0', replicas }],
    });

    // An external API reached through the mesh, with a 3 s timeout.
    new ExternalService(this, 'httpbin-ext', {
      name: 'httpbin-ext',
      namespace,
      hosts: [EXTERNAL_HOST],
      ports: [{ number: 80, protocol: 'HTTP', name: 'http' }],
      location: ServiceLocation.MESH_EXTERNAL,
      resolution: ServiceResolution.DNS,
      timeout: Duration.seconds(3),
    });

  }
}
