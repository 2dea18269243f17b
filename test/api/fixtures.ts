/**
 * Realistic, valid specs for every kind (bookinfo-flavoured), shared by the API and L1 tests.
 */
import {
  VirtualServiceSpec,
  DestinationRuleSpec,
  GatewaySpec,
  ServiceEntrySpec,
  WorkloadEntrySpec,
  SidecarSpec,
  PeerAuthenticationSpec,
  AuthorizationPolicySpec,
  RequestAuthenticationSpec,
  SpecByKind,
  KindName,
} from '../../constructs/api';

export const virtualService: VirtualServiceSpec = {
  hosts: ['reviews', 'bookinfo.example.com'],
  gateways: ['mesh', 'istio-system/bookinfo-gateway'],
  http: [
    {
      name: 'jason',
      match: [
        {
          name: 'user-jason',
          headers: { 'end-user': { exact: 'jason' }, 'x-canary': {} },
          uri: { prefix: '/reviews' },
          method: { regex: 'GET|HEAD' },
          authority: { exact: 'bookinfo.example.com' },
          scheme: { exact: 'http' },
          queryParams: { debug: { exact: 'true' } },
          withoutHeaders: { 'x-skip': {} },
          ignoreUriCase: true,
          port: 9080,
          sourceLabels: { app: 'productpage' },
          sourceNamespace: 'default',
          gateways: ['mesh'],
        },
      ],
      route: [{ destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } } }],
      timeout: '10s',
      retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure,refused-stream', retryRemoteLocalities: true },
      fault: {
        delay: { fixedDelay: '7s', percentage: { value: 100 } },
        abort: { httpStatus: 500, percentage: { value: 0.1 } },
      },
      headers: {
        request: { set: { 'x-version': 'v2' }, add: { 'x-trace': 'on' }, remove: ['x-internal'] },
        response: { remove: ['server'] },
      },
      corsPolicy: {
        allowOrigins: [{ exact: 'https://example.com' }, { regex: 'https://.*\\.example\\.org' }],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['x-user'],
        exposeHeaders: ['x-request-id'],
        maxAge: '24h',
        allowCredentials: false,
      },
      mirror: { host: 'reviews', subset: 'v3' },
      mirrorPercentage: { value: 10 },
    },
    {
      name: 'old-path',
      match: [{ uri: { exact: '/old' } }],
      redirect: { uri: '/new', authority: 'bookinfo.example.com', port: 8443, scheme: 'https', redirectCode: 308 },
    },
    {
      name: 'rewrite',
      match: [{ uri: { prefix: '/v1/ratings' } }],
      rewrite: { uri: '/ratings', authority: 'ratings' },
      route: [{ destination: { host: 'ratings' } }],
    },
    {
      name: 'health',
      match: [{ uri: { exact: '/healthz' } }],
      directResponse: { status: 200, body: { string: 'ok' } },
    },
    {
      name: 'split',
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 50, headers: { response: { set: { 'x-subset': 'v1' } } } },
        { destination: { host: 'reviews', subset: 'v3' }, weight: 50 },
      ],
    },
  ],
  tcp: [{ match: [{ port: 27017, destinationSubnets: ['10.0.0.0/8'] }], route: [{ destination: { host: 'mongo', port: { number: 27017 } }, weight: 100 }] }],
  tls: [{ match: [{ sniHosts: ['login.example.com'], port: 443 }], route: [{ destination: { host: 'login.example.com' } }] }],
  exportTo: ['.'],
};

export const destinationRule: DestinationRuleSpec = {
  host: 'reviews.default.svc.cluster.local',
  trafficPolicy: {
    loadBalancer: { simple: 'LEAST_REQUEST', warmupDurationSecs: '60s', localityLbSetting: { enabled: true } },
    connectionPool: {
      tcp: { maxConnections: 100, connectTimeout: '30ms', tcpKeepalive: { time: '7200s', interval: '75s', probes: 9 } },
      http: {
        http1MaxPendingRequests: 10,
        http2MaxRequests: 1000,
        maxRequestsPerConnection: 10,
        maxRetries: 3,
        idleTimeout: '1h',
        h2UpgradePolicy: 'UPGRADE',
        useClientProtocol: false,
      },
    },
    outlierDetection: {
      consecutive5xxErrors: 7,
      consecutiveGatewayErrors: 5,
      interval: '5m',
      baseEjectionTime: '15m',
      maxEjectionPercent: 100,
      minHealthPercent: 0,
      splitExternalLocalOriginErrors: false,
    },
    tls: { mode: 'ISTIO_MUTUAL' },
    portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'ROUND_ROBIN' } }],
  },
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    {
      name: 'v2',
      labels: { version: 'v2' },
      trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'user', path: '/', ttl: '0s' }, ringHash: { minimumRingSize: 1024 } } } },
    },
    { name: 'v3', labels: { version: 'v3' }, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user', maglev: { tableSize: 65537 } } } } },
  ],
  exportTo: ['*'],
};

export const gateway: GatewaySpec = {
  selector: { istio: 'ingressgateway' },
  servers: [
    { port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['bookinfo.example.com'], tls: { httpsRedirect: true } },
    {
      port: { number: 443, protocol: 'HTTPS', name: 'https', targetPort: 8443 },
      hosts: ['default/bookinfo.example.com'],
      tls: { mode: 'SIMPLE', credentialName: 'bookinfo-cert', minProtocolVersion: 'TLSV1_2', maxProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384'] },
      name: 'https-bookinfo',
    },
    {
      port: { number: 8443, protocol: 'HTTPS', name: 'https-mtls' },
      bind: '0.0.0.0',
      hosts: ['*'],
      tls: { mode: 'MUTUAL', serverCertificate: '/etc/certs/server.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem', subjectAltNames: ['spiffe://cluster.local/ns/default/sa/client'] },
    },
  ],
};

export const serviceEntry: ServiceEntrySpec = {
  hosts: ['api.example.com'],
  addresses: ['240.0.0.1'],
  ports: [
    { number: 443, protocol: 'TLS', name: 'tls' },
    { number: 80, protocol: 'HTTP', name: 'http', targetPort: 8080 },
  ],
  location: 'MESH_EXTERNAL',
  resolution: 'STATIC',
  endpoints: [
    { address: '192.0.2.10', ports: { http: 8080 }, labels: { region: 'eu' }, locality: 'eu-west1/zone1', weight: 2 },
    { address: '192.0.2.11', network: 'net-2' },
  ],
  exportTo: ['.', 'istio-system'],
  subjectAltNames: ['spiffe://example.com/api'],
};

export const workloadEntry: WorkloadEntrySpec = {
  address: '10.128.0.12',
  ports: { http: 9080, grpc: 9090 },
  labels: { app: 'details-legacy', version: 'vm' },
  network: 'vm-net',
  locality: 'us-central1/us-central1-a',
  weight: 10,
  serviceAccount: 'details-legacy',
};

export const sidecar: SidecarSpec = {
  workloadSelector: { labels: { app: 'productpage' } },
  ingress: [
    { port: { number: 9080, protocol: 'HTTP', name: 'http' }, bind: '127.0.0.10', captureMode: 'NONE', defaultEndpoint: '127.0.0.1:9080' },
  ],
  egress: [
    { port: { number: 9080, protocol: 'HTTP', name: 'http' }, bind: '127.0.0.10', captureMode: 'NONE', hosts: ['./reviews.default.svc.cluster.local'] },
    { hosts: ['istio-system/*', './*'] },
  ],
  outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
};

export const peerAuthentication: PeerAuthenticationSpec = {
  selector: { matchLabels: { app: 'reviews' } },
  mtls: { mode: 'STRICT' },
  portLevelMtls: { '8080': { mode: 'DISABLE' } },
};

export const authorizationPolicy: AuthorizationPolicySpec = {
  selector: { matchLabels: { app: 'reviews' } },
  action: 'ALLOW',
  rules: [
    {
      from: [
        {
          source: {
            principals: ['cluster.local/ns/default/sa/productpage'],
            notPrincipals: ['cluster.local/ns/default/sa/evil'],
            requestPrincipals: ['https://accounts.example.com/*'],
            notRequestPrincipals: ['https://accounts.example.com/banned'],
            namespaces: ['default'],
            notNamespaces: ['sandbox'],
            ipBlocks: ['10.0.0.0/8'],
            notIpBlocks: ['10.0.0.1'],
            remoteIpBlocks: ['203.0.113.0/24'],
            notRemoteIpBlocks: ['203.0.113.7'],
          },
        },
      ],
      to: [
        {
          operation: {
            hosts: ['reviews'],
            notHosts: ['internal.reviews'],
            ports: ['9080'],
            notPorts: ['15000'],
            methods: ['GET'],
            notMethods: ['DELETE'],
            paths: ['/reviews/*'],
            notPaths: ['/reviews/admin'],
          },
        },
      ],
      when: [{ key: 'request.auth.claims[iss]', values: ['https://accounts.example.com'], notValues: ['https://other.example.com'] }],
    },
  ],
};

export const requestAuthentication: RequestAuthenticationSpec = {
  selector: { matchLabels: { app: 'productpage' } },
  jwtRules: [
    {
      issuer: 'https://accounts.example.com',
      audiences: ['bookinfo'],
      jwksUri: 'https://accounts.example.com/.well-known/jwks.json',
      fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
      fromParams: ['token'],
      outputPayloadToHeader: 'x-jwt-payload',
      forwardOriginalToken: true,
      outputClaimToHeaders: [{ header: 'x-user-sub', claim: 'sub' }],
    },
  ],
};

/** One valid spec per kind. */
export const VALID_SPECS: { [K in KindName]: SpecByKind[K] } = {
  VirtualService: virtualService,
  DestinationRule: destinationRule,
  Gateway: gateway,
  ServiceEntry: serviceEntry,
  WorkloadEntry: workloadEntry,
  Sidecar: sidecar,
  PeerAuthentication: peerAuthentication,
  AuthorizationPolicy: authorizationPolicy,
  RequestAuthentication: requestAuthentication,
};

/** A deep copy, for tests that mutate a fixture. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
