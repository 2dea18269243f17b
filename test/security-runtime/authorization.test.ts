import type { AuthorizationPolicySpec } from '../../constructs/api/authorization-policy';
import { AuthorizationEvaluator, PolicyObject, RequestAttributes, compileAuthorization, RBAC_DENIED_BODY, RBAC_DENIED_STATUS } from '../../runtime/security';

const workload = { namespace: 'shop', labels: { app: 'api', version: 'v1' } };

function policy(name: string, spec: AuthorizationPolicySpec, namespace = 'shop'): PolicyObject<AuthorizationPolicySpec> {
  return { namespace, name, spec };
}

function evaluator(...policies: PolicyObject<AuthorizationPolicySpec>[]): AuthorizationEvaluator {
  return compileAuthorization(policies, workload);
}

const base: RequestAttributes = {
  sourceIp: '10.1.2.3',
  sourcePrincipal: 'cluster.local/ns/web/sa/frontend',
  destinationPort: 8080,
  host: 'api.shop.svc.cluster.local',
  method: 'GET',
  path: '/api/v1/items?limit=3',
  headers: { 'x-tenant': 'acme', 'user-agent': 'curl/8' },
};

describe('AuthorizationPolicy evaluation', () => {
  test('no policy allows everything', () => {
    expect(evaluator().evaluate(base)).toEqual({ allowed: true, policy: undefined, action: undefined, audited: [] });
  });

  test('an ALLOW policy with an empty spec denies everything', () => {
    const e = evaluator(policy('allow-nothing', {}));
    expect(e.evaluate(base)).toEqual({ allowed: false, policy: undefined, action: 'ALLOW', audited: [] });
    expect(RBAC_DENIED_STATUS).toBe(403);
    expect(RBAC_DENIED_BODY).toBe('RBAC: access denied');
  });

  test('an ALLOW rule with no fields allows everything', () => {
    expect(evaluator(policy('allow-all', { rules: [{}] })).evaluate(base)).toMatchObject({ allowed: true, policy: 'shop/allow-all' });
  });

  test('paths: exact, prefix, suffix and presence; query strings are ignored', () => {
    const e = (paths: string[]): AuthorizationEvaluator => evaluator(policy('p', { rules: [{ to: [{ operation: { paths } }] }] }));
    expect(e(['/api/v1/items']).evaluate(base).allowed).toBe(true);
    expect(e(['/api/v1']).evaluate(base).allowed).toBe(false);
    expect(e(['/api/*']).evaluate(base).allowed).toBe(true);
    expect(e(['/admin/*']).evaluate(base).allowed).toBe(false);
    expect(e(['*.html']).evaluate({ ...base, path: '/static/index.html' }).allowed).toBe(true);
    expect(e(['*.html']).evaluate(base).allowed).toBe(false);
    expect(e(['*']).evaluate(base).allowed).toBe(true);
    expect(e(['*']).evaluate({ ...base, path: undefined }).allowed).toBe(false);
  });

  test('methods and notPaths', () => {
    const e = evaluator(policy('read-only', { rules: [{ to: [{ operation: { methods: ['GET', 'HEAD'], notPaths: ['/api/secret*'] } }] }] }));
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, method: 'POST' }).allowed).toBe(false);
    expect(e.evaluate({ ...base, path: '/api/secrets' }).allowed).toBe(false);
  });

  test('DENY is evaluated before ALLOW', () => {
    const e = evaluator(
      policy('allow-all', { rules: [{}] }),
      policy('deny-admin', { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] }),
    );
    expect(e.evaluate({ ...base, path: '/admin/users' })).toEqual({ allowed: false, policy: 'shop/deny-admin', action: 'DENY', audited: [] });
    expect(e.evaluate(base)).toMatchObject({ allowed: true, policy: 'shop/allow-all', action: 'ALLOW' });
  });

  test('a DENY policy alone does not deny what it does not match', () => {
    const e = evaluator(policy('deny-post', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] }));
    expect(e.evaluate(base)).toEqual({ allowed: true, policy: undefined, action: undefined, audited: [] });
    expect(e.evaluate({ ...base, method: 'POST' }).allowed).toBe(false);
  });

  test('AUDIT does not change the decision but is reported', () => {
    const e = evaluator(policy('audit-get', { action: 'AUDIT', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }));
    expect(e.evaluate(base)).toEqual({ allowed: true, policy: undefined, action: undefined, audited: ['shop/audit-get'] });
  });

  test('principals, namespaces and their not variants', () => {
    const e = evaluator(policy('from-web', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/web/*'], notPrincipals: ['*/sa/blocked'] } }] }] }));
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, sourcePrincipal: 'cluster.local/ns/web/sa/blocked' }).allowed).toBe(false);
    expect(e.evaluate({ ...base, sourcePrincipal: undefined }).allowed).toBe(false);
    const ns = evaluator(policy('ns', { rules: [{ from: [{ source: { namespaces: ['web', 'ops'] } }] }] }));
    expect(ns.evaluate(base).allowed).toBe(true);
    expect(ns.evaluate({ ...base, sourcePrincipal: 'cluster.local/ns/other/sa/x' }).allowed).toBe(false);
    const notNs = evaluator(policy('not-ns', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }] }));
    expect(notNs.evaluate(base)).toMatchObject({ allowed: false, policy: 'shop/not-ns' });
    expect(notNs.evaluate({ ...base, sourcePrincipal: 'cluster.local/ns/shop/sa/x' }).allowed).toBe(true);
  });

  test('from entries are ORed, fields within an entry ANDed', () => {
    const e = evaluator(policy('p', {
      rules: [{ from: [{ source: { namespaces: ['web'], ipBlocks: ['192.168.0.0/16'] } }, { source: { principals: ['cluster.local/ns/ops/sa/admin'] } }] }],
    }));
    expect(e.evaluate(base).allowed).toBe(false);
    expect(e.evaluate({ ...base, sourceIp: '192.168.4.4' }).allowed).toBe(true);
    expect(e.evaluate({ ...base, sourcePrincipal: 'cluster.local/ns/ops/sa/admin' }).allowed).toBe(true);
  });

  test('ipBlocks and remoteIpBlocks (CIDR, IPv4-mapped, IPv6)', () => {
    const e = evaluator(policy('ips', { rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8', '2001:db8::/32'], notIpBlocks: ['10.9.0.0/16'] } }] }] }));
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, sourceIp: '::ffff:10.1.1.1' }).allowed).toBe(true);
    expect(e.evaluate({ ...base, sourceIp: '10.9.1.1' }).allowed).toBe(false);
    expect(e.evaluate({ ...base, sourceIp: '2001:db8::5' }).allowed).toBe(true);
    expect(e.evaluate({ ...base, sourceIp: '11.0.0.1' }).allowed).toBe(false);
    const remote = evaluator(policy('remote', { action: 'DENY', rules: [{ from: [{ source: { remoteIpBlocks: ['203.0.113.7'] } }] }] }));
    expect(remote.evaluate({ ...base, remoteIp: '203.0.113.7' }).allowed).toBe(false);
    expect(remote.evaluate(base).allowed).toBe(true);
  });

  test('hosts (case-insensitive) and ports', () => {
    const e = evaluator(policy('p', { rules: [{ to: [{ operation: { hosts: ['API.shop.svc.cluster.local', '*.example.com'], ports: ['8080'] } }] }] }));
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, host: 'www.example.com' }).allowed).toBe(true);
    expect(e.evaluate({ ...base, destinationPort: 9090 }).allowed).toBe(false);
  });

  test('when: request headers, with values and notValues', () => {
    const e = evaluator(policy('tenant', { rules: [{ when: [{ key: 'request.headers[X-Tenant]', values: ['acme', 'globex'] }, { key: 'request.headers[user-agent]', notValues: ['*bot*', 'evil*'] }] }] }));
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, headers: { 'x-tenant': 'initech' } }).allowed).toBe(false);
    expect(e.evaluate({ ...base, headers: { 'x-tenant': 'acme', 'user-agent': 'evilbot' } }).allowed).toBe(false);
    expect(e.evaluate({ ...base, headers: {} }).allowed).toBe(false);
  });

  test('when: JWT principal, audiences and claims, including nested and list claims', () => {
    const auth = {
      principal: 'https://issuer.example/alice',
      audiences: ['shop', 'billing'],
      claims: { iss: 'https://issuer.example', sub: 'alice', groups: ['dev', 'admins'], org: { tier: 'gold' }, admin: true },
    };
    const e = evaluator(policy('jwt', {
      rules: [{
        from: [{ source: { requestPrincipals: ['https://issuer.example/*'] } }],
        when: [
          { key: 'request.auth.claims[iss]', values: ['https://issuer.example'] },
          { key: 'request.auth.claims[groups]', values: ['admins'] },
          { key: 'request.auth.claims[org][tier]', values: ['gold'] },
          { key: 'request.auth.audiences', values: ['billing'] },
          { key: 'request.auth.claims[admin]', values: ['true'] },
        ],
      }],
    }));
    expect(e.evaluate({ ...base, auth }).allowed).toBe(true);
    expect(e.evaluate(base).allowed).toBe(false);
    expect(e.evaluate({ ...base, auth: { ...auth, claims: { ...auth.claims, groups: ['dev'] } } }).allowed).toBe(false);
    expect(e.evaluate({ ...base, auth: { ...auth, claims: { ...auth.claims, org: { tier: 'silver' } } } }).allowed).toBe(false);
    const requireJwt = evaluator(policy('require-jwt', { rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] }));
    expect(requireJwt.evaluate(base).allowed).toBe(false);
    expect(requireJwt.evaluate({ ...base, auth }).allowed).toBe(true);
  });

  test('when: source.ip, source.namespace, source.principal, request.auth.principal, destination.port', () => {
    const e = evaluator(policy('p', {
      rules: [{
        when: [
          { key: 'source.ip', values: ['10.0.0.0/8'] },
          { key: 'source.namespace', values: ['web'] },
          { key: 'source.principal', values: ['cluster.local/ns/web/sa/frontend'] },
          { key: 'destination.port', values: ['8080', '8443'] },
          { key: 'request.auth.principal', notValues: ['*/mallory'] },
        ],
      }],
    }));
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, destinationPort: 9000 }).allowed).toBe(false);
    expect(e.evaluate({ ...base, sourceIp: '172.16.0.1' }).allowed).toBe(false);
    expect(e.evaluate({ ...base, auth: { principal: 'iss/mallory', audiences: [], claims: {} } }).allowed).toBe(false);
  });

  test('TCP: ALLOW rules with HTTP fields never match; DENY rules drop those fields', () => {
    const tcp: RequestAttributes = { ...base, protocol: 'tcp', method: undefined, path: undefined, headers: undefined };
    const allow = evaluator(policy('allow-get', { rules: [{ from: [{ source: { namespaces: ['web'] } }], to: [{ operation: { methods: ['GET'] } }] }] }));
    expect(allow.evaluate(tcp).allowed).toBe(false);
    const allowPort = evaluator(policy('allow-port', { rules: [{ to: [{ operation: { ports: ['8080'] } }] }] }));
    expect(allowPort.evaluate(tcp).allowed).toBe(true);
    const deny = evaluator(policy('deny-post-from-web', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['web'] } }], to: [{ operation: { methods: ['POST'] } }] }] }));
    expect(deny.evaluate(tcp)).toMatchObject({ allowed: false, policy: 'shop/deny-post-from-web' });
  });

  test('selection: namespace, root namespace, selectors', () => {
    const policies = [
      policy('other-ns', { action: 'DENY', rules: [{}] }, 'elsewhere'),
      policy('other-app', { action: 'DENY', selector: { matchLabels: { app: 'db' } }, rules: [{}] }),
      policy('root-allow', { selector: { matchLabels: { app: 'api' } }, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }, 'istio-system'),
    ];
    const e = compileAuthorization(policies, workload);
    expect(e.policies).toEqual({ allow: ['istio-system/root-allow'], deny: [], audit: [] });
    expect(e.evaluate(base).allowed).toBe(true);
    expect(e.evaluate({ ...base, method: 'DELETE' }).allowed).toBe(false);
    expect(compileAuthorization(policies, workload, { rootNamespace: 'mesh-root' }).isEmpty).toBe(true);
  });

  test('compile errors: CUSTOM, bad CIDR, bad port, unknown condition key, condition without values', () => {
    const result = AuthorizationEvaluator.compile([
      policy('ext', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] }),
      policy('bad', {
        rules: [{
          from: [{ source: { ipBlocks: ['10.0.0.0/33', 'nope'] } }],
          to: [{ operation: { ports: ['http'] } }],
          when: [{ key: 'request.time', values: ['x'] }, { key: 'source.ip' }],
        }],
      }),
    ], workload);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      "AuthorizationPolicy shop/bad: spec.rules[0].from[0].source.ipBlocks[0]: expected an IP address or CIDR such as '10.0.0.0/8' (got '10.0.0.0/33')",
      "AuthorizationPolicy shop/bad: spec.rules[0].from[0].source.ipBlocks[1]: expected an IP address or CIDR such as '10.0.0.0/8' (got 'nope')",
      "AuthorizationPolicy shop/bad: spec.rules[0].to[0].operation.ports[0]: expected a port number 1-65535 (got 'http')",
      expect.stringContaining("AuthorizationPolicy shop/bad: spec.rules[0].when[0].key: unsupported key 'request.time'"),
      "AuthorizationPolicy shop/bad: spec.rules[0].when[1]: expected values or notValues for key 'source.ip'",
      "AuthorizationPolicy shop/ext: spec.action: CUSTOM is not supported (external authorizers are out of scope; provider 'opa'); expected ALLOW, DENY or AUDIT",
    ]);
    expect(() => compileAuthorization([policy('ext', { action: 'CUSTOM' })], workload)).toThrow('CUSTOM is not supported');
  });
});
