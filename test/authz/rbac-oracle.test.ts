/**
 * The proxy's RBAC evaluator, fed what the translation renders, must decide
 * like the Istio-shaped policy engine (`runtime/security/authorization.ts`,
 * the oracle) on the same requests: randomly generated policies (seeded) ×
 * a grid of requests.
 */
import type { AuthorizationPolicySpec, Rule } from '../../constructs/api/authorization-policy';
import { AuthorizationEvaluator, PolicyObject, RequestAttributes } from '../../runtime/security';
import { rbacFilters } from '../../runtime/xds/translate/authz';
import { Issues, Message } from '../../runtime/xds/resources/private/reader';
import { decodeRbac } from '../../runtime/xds/resources';
import { FilterRequest, RbacEngine } from '../../runtime/proxy/filters';
import { FlatHeadersRequest } from '../../runtime/proxy/routing';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const VALUES = {
  methods: ['GET', 'POST', 'DELETE'],
  paths: ['/exact', '/api/*', '*.css', '*', '/admin*'],
  hosts: ['reviews', '*.example.com', 'API*'],
  ports: ['9080', '8080'],
  principals: ['cluster.local/ns/default/sa/a', 'cluster.local/ns/prod/*', '*'],
  namespaces: ['default', 'prod', 'pro*'],
  ipBlocks: ['127.0.78.0/24', '10.0.0.0/8', '10.1.2.3'],
  requestPrincipals: ['*', 'https://issuer.test/alice', 'https://issuer.test/*'],
  headers: ['blue', 'green*', '*'],
  groups: ['admins', 'devs'],
};

interface Req {
  method: string; path: string; host: string; port: number; ip: string; principal?: string;
  team?: string; jwt?: { sub: string; groups: string[] };
}

const REQUESTS: Req[] = [];
for (const method of ['GET', 'POST']) {
  for (const path of ['/exact', '/api/x', '/site.css?v=1', '/admin/users']) {
    for (const [host, port, ip, principal] of [
      ['reviews', 9080, '127.0.78.3', 'cluster.local/ns/default/sa/a'],
      ['api.example.com', 8080, '10.1.2.3', 'cluster.local/ns/prod/sa/b'],
      ['api.test', 9080, '10.9.9.9', undefined],
    ] as const) {
      for (const team of [undefined, 'blue', 'green-2']) {
        for (const jwt of [undefined, { sub: 'alice', groups: ['admins'] }, { sub: 'bob', groups: ['devs'] }]) {
          REQUESTS.push({ method, path, host, port, ip, ...(principal ? { principal } : {}), ...(team ? { team } : {}), ...(jwt ? { jwt } : {}) });
        }
      }
    }
  }
}

function pick<T>(rnd: () => number, list: readonly T[], max = 2): T[] {
  const n = 1 + Math.floor(rnd() * max);
  return Array.from({ length: n }, () => list[Math.floor(rnd() * list.length)] as T);
}

function randomRule(rnd: () => number): Rule {
  const rule: { from?: Rule['from']; to?: Rule['to']; when?: Rule['when'] } = {};
  if (rnd() < 0.5) {
    const source: Record<string, string[]> = {};
    for (const f of ['principals', 'namespaces', 'ipBlocks', 'requestPrincipals'] as const) {
      if (rnd() < 0.3) source[f] = pick(rnd, VALUES[f]);
      if (rnd() < 0.15) source[`not${f[0]!.toUpperCase()}${f.slice(1)}`] = pick(rnd, VALUES[f], 1);
    }
    rule.from = [{ source }];
  }
  if (rnd() < 0.7) {
    const operation: Record<string, string[]> = {};
    for (const f of ['methods', 'paths', 'hosts', 'ports'] as const) {
      if (rnd() < 0.35) operation[f] = pick(rnd, VALUES[f]);
      if (rnd() < 0.15) operation[`not${f[0]!.toUpperCase()}${f.slice(1)}`] = pick(rnd, VALUES[f], 1);
    }
    rule.to = [{ operation }, ...(rnd() < 0.3 ? [{ operation: { methods: pick(rnd, VALUES.methods) } }] : [])];
  }
  if (rnd() < 0.4) {
    rule.when = [rnd() < 0.5
      ? { key: 'request.headers[x-team]', values: pick(rnd, VALUES.headers) }
      : { key: 'request.auth.claims[groups]', ...(rnd() < 0.5 ? { values: pick(rnd, VALUES.groups, 1) } : { notValues: pick(rnd, VALUES.groups, 1) }) }];
  }
  return rule as Rule;
}

function randomPolicies(rnd: () => number): PolicyObject<AuthorizationPolicySpec>[] {
  const n = 1 + Math.floor(rnd() * 3);
  return Array.from({ length: n }, (_, i) => {
    const action = rnd() < 0.4 ? 'DENY' : 'ALLOW';
    const rules = rnd() < 0.1 ? [] : Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => randomRule(rnd));
    return { namespace: 'default', name: `p${i}`, spec: { action, rules } as AuthorizationPolicySpec };
  });
}

function engines(policies: PolicyObject<AuthorizationPolicySpec>[]): RbacEngine[] {
  return rbacFilters(policies).map((f) => {
    const typed = { ...(f.typed_config as Record<string, unknown>) };
    delete typed['@type'];
    const issues = new Issues();
    const config = decodeRbac(Message.root(typed, issues) as Message);
    expect(issues.list).toEqual([]);
    return RbacEngine.compile(config.rules!);
  });
}

function filterRequest(r: Req): FilterRequest {
  const headers = ['host', r.host, ...(r.team ? ['x-team', r.team] : [])];
  return {
    request: new FlatHeadersRequest({ method: r.method, path: r.path, authority: r.host, sourceIp: r.ip, headers }),
    directRemoteIp: r.ip, remoteIp: r.ip, destinationIp: '127.0.78.10', destinationPort: r.port,
    peerPrincipal: r.principal ? `spiffe://${r.principal}` : undefined,
    metadata: r.jwt ? {
      istio_authn: {
        'request.auth.principal': `https://issuer.test/${r.jwt.sub}`,
        'request.auth.audiences': ['reviews'],
        'request.auth.claims': { groups: r.jwt.groups, sub: [r.jwt.sub] },
      },
    } : {},
  };
}

function attributes(r: Req): RequestAttributes {
  return {
    method: r.method, path: r.path, host: r.host, destinationPort: r.port, sourceIp: r.ip,
    ...(r.principal ? { sourcePrincipal: r.principal } : {}),
    headers: { host: r.host, ...(r.team ? { 'x-team': r.team } : {}) },
    ...(r.jwt ? { auth: { principal: `https://issuer.test/${r.jwt.sub}`, audiences: ['reviews'], claims: { iss: 'https://issuer.test', sub: r.jwt.sub, groups: r.jwt.groups } } } : {}),
  };
}

const seen = { allowed: 0, denied: 0 };

describe('RBAC evaluator against the Istio policy oracle', () => {
  afterAll(() => {
    // The generated cases exercise both outcomes substantially.
    expect(seen.allowed).toBeGreaterThan(500);
    expect(seen.denied).toBeGreaterThan(500);
  });

  it.each(Array.from({ length: 60 }, (_, i) => i + 1))('agrees on seed %i', (seed) => {
    const rnd = lcg(seed);
    const policies = randomPolicies(rnd);
    const oracle = AuthorizationEvaluator.compile(policies);
    if (!oracle.ok) throw new Error(oracle.errors.join('\n'));
    const chain = engines(policies);
    for (const r of REQUESTS) {
      const ctx = filterRequest(r);
      const allowed = chain.every((e) => e.evaluate(ctx).allowed);
      const expected = oracle.value.evaluate(attributes(r)).allowed;
      seen[expected ? 'allowed' : 'denied']++;
      if (allowed !== expected) {
        throw new Error(`seed ${seed}: ${JSON.stringify(r)} → rbac ${allowed}, oracle ${expected}\npolicies: ${JSON.stringify(policies)}`);
      }
    }
  });
});
