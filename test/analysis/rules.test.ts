import {
  conflictingMeshVirtualServiceHostsRule, conflictingPeerAuthenticationsRule, destinationHostNotFoundRule,
  destinationRuleHostNotFoundRule, destinationSubsetNotFoundRule, gatewayNotFoundRule, overlappingGatewayRoutesRule,
  portNameConventionRule, routeWeightsRule, subsetWithoutWorkloadsRule, wildcardHostWithoutGatewayRule, workloadLabelsRule,
  ALL_RULES,
} from '../../constructs/analysis';
import {
  check, deployment, destinationRule, gateway, goodReviews, peerAuthentication, service, serviceEntry, sourceOf, to,
  virtualService,
} from './fixtures';

describe('every rule', () => {
  test('a correct bookinfo reviews setup has no findings at all', () => {
    expect(check(goodReviews())).toEqual([]);
  });

  test('rules have codes and unique names', () => {
    const names = ALL_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of ALL_RULES) expect(rule.id).toMatch(/^(IST|MF)\d{4}$/);
  });
});

describe('route weights (MF0001)', () => {
  test('weights summing to 100, and a single unweighted destination, pass', () => {
    const objects = [virtualService('reviews', {
      hosts: ['reviews'],
      http: [{ route: [to('reviews', 'v1', 50), to('reviews', 'v3', 50)] }, { route: [to('reviews')] }],
      tcp: [{ route: [to('db', undefined, 100)] }],
    })];
    expect(check(objects, routeWeightsRule)).toEqual([]);
  });

  test('weights summing to 90 are an error listing each weight', () => {
    const objects = [virtualService('reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1', 50), to('reviews', 'v3', 40)] }] })];
    expect(check(objects, routeWeightsRule)).toEqual([{
      level: 'error', rule: 'MF0001', source: sourceOf(0), field: 'spec.http[0].route',
      message: 'VirtualService default/reviews: route weights must sum to 100, got 90 (reviews/v1=50, reviews/v3=40)',
    }]);
  });

  test('an unset weight among several counts as 0; TCP and TLS routes are checked too', () => {
    const objects = [virtualService('db', {
      hosts: ['db'],
      tcp: [{ route: [to('db', 'v1', 60), to('db', 'v2')] }],
      tls: [{ match: [{ sniHosts: ['db'] }], route: [to('db', undefined, 80)] }],
    })];
    const findings = check(objects, routeWeightsRule);
    expect(findings.map((f) => [f.field, f.message])).toEqual([
      ['spec.tcp[0].route', 'VirtualService default/db: route weights must sum to 100, got 60 (db/v1=60, db/v2=unset)'],
      ['spec.tls[0].route', 'VirtualService default/db: route weights must sum to 100, got 80 (db=80)'],
    ]);
  });
});

describe('destination subset not found (IST0101)', () => {
  test('subsets defined by a DestinationRule pass, whatever form the hosts take', () => {
    const objects = [
      service('reviews'),
      destinationRule('reviews', { host: 'reviews.default.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      virtualService('reviews', {
        hosts: ['reviews.default.svc.cluster.local'],
        http: [{ route: [to('reviews.default', 'v1')] }, { route: [to('reviews.default.svc', 'v1')] }],
      }, 'frontend'),
      virtualService('local', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')] }] }),
    ];
    expect(check(objects, destinationSubsetNotFoundRule)).toEqual([]);
  });

  test('an undefined subset is an error naming the subset, the host and the subsets that exist', () => {
    const objects = [...goodReviews().slice(0, 5), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v4')] }] })];
    expect(check(objects, destinationSubsetNotFoundRule)).toEqual([{
      level: 'error', rule: 'IST0101', source: sourceOf(5), field: 'spec.http[0].route[0].destination.subset',
      message: 'VirtualService default/reviews: subset "v4" of host reviews.default.svc.cluster.local is not defined by any '
        + 'DestinationRule (DestinationRule default/reviews defines "v1", "v2", "v3")',
    }]);
  });

  test('a short host resolves in the VirtualService namespace, so another namespace\'s DestinationRule does not count', () => {
    const objects = [
      destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }, 'prod'),
      virtualService('reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')] }] }, 'test'),
    ];
    const [finding] = check(objects, destinationSubsetNotFoundRule);
    expect(finding.message).toBe('VirtualService test/reviews: subset "v1" of host reviews.test.svc.cluster.local is not '
      + 'defined by any DestinationRule (no DestinationRule has this host)');
  });

  test('mirror destinations are checked too', () => {
    const objects = [...goodReviews().slice(0, 5), virtualService('reviews', {
      hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')], mirror: { host: 'reviews', subset: 'v9' } }],
    })];
    expect(check(objects, destinationSubsetNotFoundRule).map((f) => f.field)).toEqual(['spec.http[0].mirror.subset']);
  });
});

describe('destination host not found (IST0101)', () => {
  test('Services and ServiceEntry hosts, wildcard ones included, pass', () => {
    const objects = [
      service('ratings', 'prod'),
      serviceEntry('apis', { hosts: ['*.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }),
      virtualService('x', {
        hosts: ['x'],
        http: [{ route: [to('ratings.prod', undefined, 50), to('api.example.com', undefined, 50)] }],
      }),
    ];
    expect(check(objects, destinationHostNotFoundRule)).toEqual([]);
  });

  test('a host with neither Service nor ServiceEntry is an error naming the host and its FQDN', () => {
    const objects = [service('reviews'), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [to('ratings')] }] })];
    expect(check(objects, destinationHostNotFoundRule)).toEqual([{
      level: 'error', rule: 'IST0101', source: sourceOf(1), field: 'spec.http[0].route[0].destination.host',
      message: 'VirtualService default/reviews: destination host "ratings" (ratings.default.svc.cluster.local) is neither a '
        + 'Service nor a ServiceEntry host',
    }]);
  });
});

describe('conflicting mesh VirtualService hosts (IST0109)', () => {
  test('distinct hosts, or VirtualServices exported to disjoint namespaces, pass', () => {
    const objects = [
      virtualService('a', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] }),
      virtualService('b', { hosts: ['ratings'], http: [{ route: [to('ratings')] }] }),
      virtualService('c', { hosts: ['productpage.default.svc.cluster.local'], exportTo: ['.'], http: [{ route: [to('productpage.default')] }] }, 'team-1'),
      virtualService('d', { hosts: ['productpage.default.svc.cluster.local'], exportTo: ['.'], http: [{ route: [to('productpage.default')] }] }, 'team-2'),
    ];
    expect(check(objects, conflictingMeshVirtualServiceHostsRule)).toEqual([]);
  });

  test('two mesh VirtualServices for the same host (short and FQDN) are an error on the second', () => {
    const objects = [
      virtualService('a', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] }),
      virtualService('b', { hosts: ['reviews.default.svc.cluster.local'], gateways: ['mesh'], http: [{ route: [to('reviews')] }] }),
    ];
    expect(check(objects, conflictingMeshVirtualServiceHostsRule)).toEqual([{
      level: 'error', rule: 'IST0109', source: sourceOf(1), field: 'spec.hosts[0]',
      message: 'VirtualService default/b: host reviews.default.svc.cluster.local is also defined for the mesh by VirtualService '
        + 'default/a; sidecars do not merge VirtualServices (only gateways do), so one of them would be ignored — merge them '
        + 'into one, or scope them apart with exportTo',
    }]);
  });
});

describe('overlapping gateway routes (MF0002)', () => {
  const gw = gateway('bookinfo-gateway', 'istio-system');
  const onGateway = (name: string, http: unknown[]) =>
    virtualService(name, { hosts: ['bookinfo.example.com'], gateways: ['istio-system/bookinfo-gateway'], http });

  test('disjoint matches on the same gateway and host pass', () => {
    const objects = [
      gw,
      onGateway('a', [{ match: [{ uri: { prefix: '/api' } }], route: [to('api')] }]),
      onGateway('b', [{ match: [{ uri: { prefix: '/static' } }], route: [to('static')] }]),
    ];
    expect(check(objects, overlappingGatewayRoutesRule)).toEqual([]);
  });

  test('two catch-all routes are an error', () => {
    const objects = [gw, onGateway('a', [{ route: [to('api')] }]), onGateway('b', [{ match: [{ uri: { prefix: '/' } }], route: [to('web')] }])];
    expect(check(objects, overlappingGatewayRoutesRule)).toEqual([{
      level: 'error', rule: 'MF0002', source: sourceOf(2), field: 'spec.http[0].match',
      message: 'VirtualService default/b: host bookinfo.example.com on gateway istio-system/bookinfo-gateway is also routed by '
        + 'VirtualService default/a and their http matches overlap (both have a catch-all route); merged VirtualServices have '
        + 'no defined order, so traffic would split at random between them — make the matches disjoint or merge the VirtualServices',
    }]);
  });

  test('the same match in both is an error naming the match', () => {
    const objects = [
      gw,
      onGateway('a', [{ match: [{ name: 'api', uri: { prefix: '/api' } }], route: [to('api')] }]),
      onGateway('b', [{ match: [{ uri: { exact: '/x' } }], route: [to('x')] }, { match: [{ uri: { prefix: '/api' } }], route: [to('api2')] }]),
    ];
    const findings = check(objects, overlappingGatewayRoutesRule);
    expect(findings.map((f) => f.field)).toEqual(['spec.http[1].match']);
    expect(findings[0].message).toContain('their http matches overlap (both match {"uri":{"prefix":"/api"}})');
  });
});

describe('wildcard host without gateway (MF0003)', () => {
  test('"*" on a gateway-bound VirtualService passes', () => {
    const objects = [virtualService('edge', { hosts: ['*'], gateways: ['edge-gw'], http: [{ route: [to('web')] }] })];
    expect(check(objects, wildcardHostWithoutGatewayRule)).toEqual([]);
  });

  test('"*" on a mesh VirtualService is an error', () => {
    const objects = [virtualService('all', { hosts: ['*'], http: [{ route: [to('web')] }] })];
    expect(check(objects, wildcardHostWithoutGatewayRule)).toEqual([{
      level: 'error', rule: 'MF0003', source: sourceOf(0), field: 'spec.hosts[0]',
      message: 'VirtualService default/all: host "*" is only allowed on VirtualServices bound to a gateway, but this one is '
        + 'bound to the mesh (spec.gateways is empty); name the hosts, or set spec.gateways',
    }]);
  });
});

describe('port name convention (IST0118)', () => {
  test('protocol-prefixed names, and any name with appProtocol, pass', () => {
    const objects = [service('api', 'default', {
      ports: [{ name: 'http', port: 80 }, { name: 'grpc-api', port: 9090 }, { name: 'TCP-db', port: 5432 }, { name: 'web', port: 8080, appProtocol: 'http' }],
    })];
    expect(check(objects, portNameConventionRule)).toEqual([]);
  });

  test("Istio's own gateway Service (status-port) and kube-system Services are skipped", () => {
    const gatewayService = service('istio-ingressgateway', 'istio-system', { ports: [{ name: 'status-port', port: 15021 }] });
    (gatewayService.metadata as Record<string, unknown>).labels = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
    const dns = service('kube-dns', 'kube-system', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(check([gatewayService, dns], portNameConventionRule)).toEqual([]);
  });

  test('a name without protocol prefix, and a missing name, are errors', () => {
    const objects = [service('api', 'default', { ports: [{ name: 'web', port: 8080 }, { port: 9000 }] })];
    const findings = check(objects, portNameConventionRule);
    expect(findings.map((f) => [f.level, f.field])).toEqual([['error', 'spec.ports[0].name'], ['error', 'spec.ports[1].name']]);
    expect(findings[0].message).toBe('Service default/api: port 8080 is named "web"; expected <protocol>[-<suffix>] with '
      + 'protocol one of http, http2, https, grpc, grpc-web, mongo, mysql, redis, tcp, tls, udp (e.g. "http-web"), or set appProtocol');
    expect(findings[1].message).toContain('Service default/api: port 9000 has no name; expected <protocol>[-<suffix>]');
  });
});

describe('workload labels (MF0004)', () => {
  test('app and version labels, or an opted-out workload, pass', () => {
    const objects = [
      deployment('reviews-v1', { app: 'reviews', version: 'v1' }),
      deployment('legacy', { tier: 'db' }, 'default', { 'sidecar.istio.io/inject': 'false' }),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { 'app.kubernetes.io/name': 'p', 'app.kubernetes.io/version': '1' } } },
    ];
    expect(check(objects, workloadLabelsRule)).toEqual([]);
  });

  test('a missing app label is an error, a missing version label a warning', () => {
    const objects = [
      deployment('reviews', { app: 'reviews' }),
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'data' }, spec: { template: { metadata: { labels: { version: 'v1' } } } } },
    ];
    expect(check(objects, workloadLabelsRule)).toEqual([
      {
        level: 'warning', rule: 'MF0004', source: sourceOf(0), field: 'spec.template.metadata.labels.version',
        message: 'Deployment default/reviews: pod template has no "version" label (got {app=reviews}); DestinationRule subsets '
          + 'cannot tell its versions apart and telemetry reports version "unknown"',
      },
      {
        level: 'error', rule: 'MF0004', source: sourceOf(1), field: 'spec.template.metadata.labels.app',
        message: 'StatefulSet data/db: pod template has no "app" label (got {version=v1}); Istio names the workload\'s service '
          + 'in telemetry after it, and subsets and policies select on it',
      },
    ]);
  });
});

describe('conflicting PeerAuthentications (MF0005)', () => {
  test('one mesh-wide, one namespace-wide and one selector policy pass', () => {
    const objects = [
      peerAuthentication('default', 'istio-system'),
      peerAuthentication('default', 'prod'),
      peerAuthentication('db', 'prod', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'PERMISSIVE' } }),
    ];
    expect(check(objects, conflictingPeerAuthenticationsRule)).toEqual([]);
  });

  test('two mesh-wide policies in the root namespace are an error', () => {
    const objects = [peerAuthentication('default', 'istio-system'), peerAuthentication('strict', 'istio-system')];
    expect(check(objects, conflictingPeerAuthenticationsRule)).toEqual([{
      level: 'error', rule: 'MF0005', source: sourceOf(1), field: 'spec.selector',
      message: 'PeerAuthentication istio-system/strict: is a second mesh-wide policy (no selector, root namespace istio-system) '
        + 'besides PeerAuthentication istio-system/default; Istio applies only the oldest of them — merge them into one',
    }]);
  });

  test('two namespace-wide policies, and two with identical selectors, in one namespace are errors', () => {
    const selector = (mode: string) => ({ selector: { matchLabels: { version: 'v1', app: 'db' } }, mtls: { mode } });
    const objects = [
      peerAuthentication('a', 'prod'), peerAuthentication('b', 'prod'),
      peerAuthentication('db1', 'prod', selector('STRICT')), peerAuthentication('db2', 'prod', selector('DISABLE')),
    ];
    expect(check(objects, conflictingPeerAuthenticationsRule).map((f) => f.message)).toEqual([
      'PeerAuthentication prod/b: is a second namespace-wide policy (no selector) in namespace prod besides '
        + 'PeerAuthentication prod/a; Istio applies only the oldest of them — merge them into one',
      'PeerAuthentication prod/db2: selects the same workloads {app=db, version=v1} in namespace prod as '
        + 'PeerAuthentication prod/db1; Istio applies only the oldest of them — merge them into one',
    ]);
  });
});

describe('gateway not found (IST0101, warning)', () => {
  test('gateways referenced by name or namespace/name pass', () => {
    const objects = [
      gateway('edge', 'istio-system'), gateway('local'),
      virtualService('web', { hosts: ['web.example.com'], gateways: ['istio-system/edge', 'local', 'mesh'], http: [{ route: [to('web')] }] }),
    ];
    expect(check(objects, gatewayNotFoundRule)).toEqual([]);
  });

  test('a missing gateway is a warning naming the qualified name', () => {
    const objects = [virtualService('web', { hosts: ['web.example.com'], gateways: ['edge'], http: [{ route: [to('web')] }] })];
    expect(check(objects, gatewayNotFoundRule)).toEqual([{
      level: 'warning', rule: 'IST0101', source: sourceOf(0), field: 'spec.gateways[0]',
      message: 'VirtualService default/web: gateway "edge" (default/edge) is not defined; expected a Gateway named default/edge',
    }]);
  });
});

describe('DestinationRule host not found (IST0101, warning)', () => {
  test('a DestinationRule for a Service or ServiceEntry host passes', () => {
    const objects = [
      service('reviews'), serviceEntry('ext', { hosts: ['api.example.com'] }),
      destinationRule('reviews', { host: 'reviews' }), destinationRule('ext', { host: 'api.example.com' }),
    ];
    expect(check(objects, destinationRuleHostNotFoundRule)).toEqual([]);
  });

  test('a DestinationRule for an unknown host is a warning', () => {
    const objects = [destinationRule('ratings', { host: 'ratings' })];
    expect(check(objects, destinationRuleHostNotFoundRule)).toEqual([{
      level: 'warning', rule: 'IST0101', source: sourceOf(0), field: 'spec.host',
      message: 'DestinationRule default/ratings: host "ratings" (ratings.default.svc.cluster.local) is neither a Service nor a '
        + 'ServiceEntry host, so the rule applies to nothing',
    }]);
  });
});

describe('subset without workloads (IST0127, warning)', () => {
  test('subsets matching the pods behind the Service pass', () => {
    expect(check(goodReviews(), subsetWithoutWorkloadsRule)).toEqual([]);
  });

  test('a subset whose labels no pod behind the Service carries is a warning listing what is there', () => {
    const objects = [
      service('reviews'),
      deployment('reviews-v1', { app: 'reviews', version: 'v1' }),
      deployment('other-v4', { app: 'other', version: 'v4' }),
      destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v4', labels: { version: 'v4' } }] }),
    ];
    expect(check(objects, subsetWithoutWorkloadsRule)).toEqual([{
      level: 'warning', rule: 'IST0127', source: sourceOf(3), field: 'spec.subsets[1].labels',
      message: 'DestinationRule default/reviews: subset "v4" selects {version=v4}, which matches no workload behind '
        + 'reviews.default.svc.cluster.local (found only {app=reviews, version=v1})',
    }]);
  });

  test('ServiceEntry endpoints count as workloads', () => {
    const objects = [
      deployment('x', { app: 'x', version: 'v1' }),
      serviceEntry('vm', { hosts: ['vm.example.com'], endpoints: [{ address: '10.0.0.1', labels: { version: 'a' } }] }),
      destinationRule('vm', { host: 'vm.example.com', subsets: [{ name: 'a', labels: { version: 'a' } }, { name: 'b', labels: { version: 'b' } }] }),
    ];
    expect(check(objects, subsetWithoutWorkloadsRule).map((f) => f.field)).toEqual(['spec.subsets[1].labels']);
  });
});
