import {
  AccessPolicy, AccessRule, Condition, JwtAuthentication, MtlsMode, MtlsPolicy, Operation, PolicyScope, Principal, Source,
} from '../../constructs/security';
import { chart, fakeService, ofKind, synthValid } from '../traffic/fakes';

describe('MtlsPolicy', () => {
  test('mesh-wide STRICT lives in istio-system, named default, no selector', () => {
    const c = chart();
    new MtlsPolicy(c, 'mesh', { scope: PolicyScope.mesh() });
    const [pa] = ofKind(synthValid(c), 'PeerAuthentication');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.metadata).toEqual({ name: 'default', namespace: 'istio-system' });
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('namespace PERMISSIVE', () => {
    const c = chart();
    new MtlsPolicy(c, 'legacy', { scope: PolicyScope.namespace('legacy'), mode: MtlsMode.PERMISSIVE });
    const [pa] = ofKind(synthValid(c), 'PeerAuthentication');
    expect(pa.metadata.namespace).toBe('legacy');
    expect(pa.spec.mtls.mode).toBe('PERMISSIVE');
  });

  test('workload with port overrides (snapshot), added after construct too', () => {
    const c = chart();
    const p = new MtlsPolicy(c, 'reviews', {
      scope: PolicyScope.service(fakeService('reviews')),
      portOverrides: { 9080: MtlsMode.PERMISSIVE },
    });
    p.overridePort(15090, MtlsMode.DISABLE);
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    expect(out[0].spec).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 9080: { mode: 'PERMISSIVE' }, 15090: { mode: 'DISABLE' } },
    });
  });

  test.each([[1, true], [65535, true], [0, false], [65536, false]])('port override %d valid=%s', (port, ok) => {
    const c = chart();
    new MtlsPolicy(c, 'p', { scope: PolicyScope.workload('default', { app: 'x' }), portOverrides: { [port]: MtlsMode.DISABLE } });
    if (ok) expect(() => synthValid(c)).not.toThrow();
    else expect(() => synthValid(c)).toThrow(`bookinfo/p: portLevelMtls port must be an integer between 1 and 65535 (got ${port})`);
  });

  test('port overrides need a workload selector', () => {
    const c = chart();
    new MtlsPolicy(c, 'ns', { scope: PolicyScope.namespace('default'), portOverrides: { 8080: MtlsMode.DISABLE } });
    expect(() => synthValid(c)).toThrow('bookinfo/ns: portLevelMtls needs a workload scope with a selector (got a namespace scope)');
  });
});

describe('AccessPolicy', () => {
  test('readable rules render to Istio rules (snapshot)', () => {
    const c = chart();
    new AccessPolicy(c, 'reviews-readers', {
      scope: PolicyScope.workload('default', { app: 'reviews' }),
      rules: [
        AccessRule.allow()
          .from(Principal.serviceAccount('default', 'bookinfo-productpage'))
          .from(Source.namespace('monitoring'))
          .to(Operation.paths('/api/*').methods('GET'))
          .when(Condition.header('x-a', ['b'])),
      ],
    });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    const [ap] = ofKind(out, 'AuthorizationPolicy');
    expect(ap.spec).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      rules: [{
        from: [
          { source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } },
          { source: { namespaces: ['monitoring'] } },
        ],
        to: [{ operation: { paths: ['/api/*'], methods: ['GET'] } }],
        when: [{ key: 'request.headers[x-a]', values: ['b'] }],
      }],
    });
  });

  test('sources given to one from() are AND-ed into one source; trust domain is configurable', () => {
    const c = chart();
    new AccessPolicy(c, 'p', {
      scope: PolicyScope.namespace('default'),
      rules: [AccessRule.deny().from(Principal.serviceAccount('ns1', 'sa1', { trustDomain: 'example.org' }), Source.ipBlock('10.0.0.0/8'))],
    });
    const [ap] = synthValid(c);
    expect(ap.spec.action).toBe('DENY');
    expect(ap.spec.rules[0].from).toEqual([{ source: { principals: ['example.org/ns/ns1/sa/sa1'], ipBlocks: ['10.0.0.0/8'] } }]);
  });

  test('denyAll is an ALLOW policy with no rules (spec holds only the selector)', () => {
    const c = chart();
    AccessPolicy.denyAll(c, 'deny', { scope: PolicyScope.namespace('default') });
    AccessPolicy.denyAll(c, 'deny-reviews', { scope: PolicyScope.workload('default', { app: 'reviews' }) });
    const out = synthValid(c);
    expect(out[0].spec).toEqual({});
    expect(out[1].spec).toEqual({ selector: { matchLabels: { app: 'reviews' } } });
  });

  test('allowAll is one empty rule', () => {
    const c = chart();
    AccessPolicy.allowAll(c, 'all', { scope: PolicyScope.namespace('default') });
    expect(synthValid(c)[0].spec).toEqual({ rules: [{}] });
  });

  test('AUDIT action; rules added after construct', () => {
    const c = chart();
    const p = new AccessPolicy(c, 'audit', { scope: PolicyScope.namespace('default') });
    p.addRule(AccessRule.audit().to(Operation.paths('/admin*')));
    expect(synthValid(c)[0].spec).toEqual({ action: 'AUDIT', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] });
  });

  test('mixing actions is reported with path, expected and got', () => {
    const c = chart();
    new AccessPolicy(c, 'mixed', {
      scope: PolicyScope.namespace('default'),
      rules: [AccessRule.allow().to(Operation.methods('GET')), AccessRule.deny().to(Operation.methods('POST'))],
    });
    expect(() => synthValid(c)).toThrow('bookinfo/mixed: rules must all have the same action (got ALLOW and DENY)');
  });

  test.each([
    [Operation.paths('/a/*/b'), "rules[0].to[0].operation.paths values may have '*' only at the start or the end"],
    [Operation.methods('get'), 'operation.methods must hold upper-case HTTP methods (got "get")'],
    [Operation.ports(0), 'operation.ports must hold ports between 1 and 65535 (got 0)'],
    [Operation.ports(65536), 'operation.ports must hold ports between 1 and 65535 (got 65536)'],
  ])('invalid operation %#', (op, message) => {
    const c = chart();
    new AccessPolicy(c, 'p', { scope: PolicyScope.namespace('default'), rules: [AccessRule.allow().to(op)] });
    expect(() => synthValid(c)).toThrow(message);
  });

  test('ports 1 and 65535 are fine', () => {
    const c = chart();
    new AccessPolicy(c, 'p', { scope: PolicyScope.namespace('default'), rules: [AccessRule.allow().to(Operation.ports(1, 65535))] });
    expect(synthValid(c)[0].spec.rules[0].to[0].operation.ports).toEqual(['1', '65535']);
  });

  test('unknown condition keys and bad CIDRs are reported', () => {
    const c = chart();
    new AccessPolicy(c, 'p', {
      scope: PolicyScope.namespace('default'),
      rules: [AccessRule.allow().from(Source.ipBlock('not-an-ip')).when(Condition.of('request.nope', { values: ['x'] }))],
    });
    expect(() => synthValid(c)).toThrow(/rules\[0\]\.from\[0\]\.source\.ipBlocks must hold IP addresses or CIDRs \(got "not-an-ip"\)/);
    expect(() => synthValid(c)).toThrow(/when.key must be a supported Istio attribute .* \(got "request.nope"\)/);
  });
});

describe('JwtAuthentication', () => {
  test('issuer, audiences, jwksUri and fromHeaders (snapshot)', () => {
    const c = chart();
    const j = new JwtAuthentication(c, 'jwt', {
      scope: PolicyScope.workload('default', { app: 'productpage' }),
      issuers: [{
        issuer: 'https://accounts.example.com',
        audiences: ['bookinfo'],
        jwksUri: 'https://accounts.example.com/.well-known/jwks.json',
        fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
      }],
    });
    j.addIssuer({ issuer: 'testing@secure.istio.io', jwks: '{"keys":[]}' });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    const [ra] = ofKind(out, 'RequestAuthentication');
    expect(ra.spec.jwtRules[0]).toEqual({
      issuer: 'https://accounts.example.com',
      audiences: ['bookinfo'],
      jwksUri: 'https://accounts.example.com/.well-known/jwks.json',
      fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
    });
    expect(ra.spec.jwtRules[1]).toEqual({ issuer: 'testing@secure.istio.io', jwks: '{"keys":[]}' });
  });

  test('jwksUri and jwks together, bad URL and bad JWKS are reported', () => {
    const c = chart();
    new JwtAuthentication(c, 'jwt', {
      scope: PolicyScope.namespace('default'),
      issuers: [
        { issuer: 'a', jwksUri: 'https://a/jwks', jwks: '{"keys":[]}' },
        { issuer: 'b', jwksUri: 'ftp://b' },
        { issuer: 'c', jwks: 'nope' },
      ],
    });
    expect(() => synthValid(c)).toThrow('bookinfo/jwt: jwtRules[0] must have jwksUri or jwks, not both (got both)');
    expect(() => synthValid(c)).toThrow('jwtRules[1].jwksUri must be an http(s) URL (got "ftp://b")');
    expect(() => synthValid(c)).toThrow('jwtRules[2].jwks must be a JSON Web Key Set (got invalid JSON');
  });

  test('no issuer is reported', () => {
    const c = chart();
    new JwtAuthentication(c, 'jwt', { scope: PolicyScope.namespace('default') });
    expect(() => synthValid(c)).toThrow('bookinfo/jwt: jwtRules must list at least one issuer (got none)');
  });
});
