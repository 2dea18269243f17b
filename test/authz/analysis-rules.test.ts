/** `meshform analyze` rules for security policies: policies that can never match, STRICT mTLS over workloads without sidecars. */
import { authorizationPolicyNeverMatchesRule, strictMtlsWithoutSidecarRule } from '../../constructs/analysis';
import { check, deployment, peerAuthentication } from '../analysis/fixtures';

type Json = Record<string, unknown>;

function authorizationPolicy(name: string, spec: Json, namespace = 'default'): Json {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec };
}

function withSidecar(d: Json): Json {
  const spec = d.spec as { template: { spec: { containers: Json[] } } };
  spec.template.spec.containers.push({ name: 'istio-proxy', image: 'meshform/proxy' });
  return d;
}

describe('authorization-policy-never-matches (MF0006)', () => {
  const reviews = deployment('reviews-v1', { app: 'reviews' });

  it('passes a policy whose selector picks a workload and whose rules can match', () => {
    const ap = authorizationPolicy('ok', {
      selector: { matchLabels: { app: 'reviews' } },
      rules: [{ to: [{ operation: { paths: ['/api/*'], notPaths: ['/api/admin'] } }], when: [{ key: 'request.headers[x-team]', values: ['blue'] }] }],
    });
    expect(check([reviews, ap], authorizationPolicyNeverMatchesRule)).toEqual([]);
  });

  it('warns on a selector that matches no workload', () => {
    const findings = check([reviews, authorizationPolicy('typo', { selector: { matchLabels: { app: 'reveiws' } } })], authorizationPolicyNeverMatchesRule);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ level: 'warning', rule: 'MF0006', field: 'spec.selector' });
    expect(findings[0]?.message).toContain('matches no workload in namespace default');
  });

  it('warns on a when key unknown to Istio', () => {
    const findings = check([reviews, authorizationPolicy('bad-key', { rules: [{ when: [{ key: 'request.header[x]', values: ['a'] }] }] })], authorizationPolicyNeverMatchesRule);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ field: 'spec.rules[0].when[0].key' });
    expect(findings[0]?.message).toContain("unsupported key 'request.header[x]'");
  });

  it('warns when paths and notPaths hold the same value', () => {
    const findings = check([reviews, authorizationPolicy('self-cancel', { rules: [{ to: [{ operation: { paths: ['/admin'], notPaths: ['/admin'] } }] }] })], authorizationPolicyNeverMatchesRule);
    expect(findings).toEqual([expect.objectContaining({ field: 'spec.rules[0].to[0].operation.notPaths' })]);
    expect(findings[0]?.message).toContain("'/admin' is in both paths and notPaths");
  });
});

describe('strict-mtls-without-sidecar (MF0007)', () => {
  it('warns on STRICT over a workload without the istio-proxy container or the webhook label', () => {
    const findings = check([deployment('legacy', { app: 'legacy' }), peerAuthentication('strict', 'default')], strictMtlsWithoutSidecarRule);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ level: 'warning', rule: 'MF0007', field: 'spec.mtls.mode' });
    expect(findings[0]?.message).toContain('Deployment default/legacy');
  });

  it('passes when the sidecar is injected, or the webhook will inject it', () => {
    const injected = withSidecar(deployment('reviews', { app: 'reviews' }));
    const webhook = deployment('ratings', { app: 'ratings', 'sidecar.istio.io/inject': 'true' });
    expect(check([injected, webhook, peerAuthentication('strict', 'default')], strictMtlsWithoutSidecarRule)).toEqual([]);
  });

  it('ignores PERMISSIVE, and looks only at the selected workloads', () => {
    const bare = deployment('legacy', { app: 'legacy' });
    const injected = withSidecar(deployment('reviews', { app: 'reviews' }));
    expect(check([bare, peerAuthentication('permissive', 'default', { mtls: { mode: 'PERMISSIVE' } })], strictMtlsWithoutSidecarRule)).toEqual([]);
    expect(check([bare, injected, peerAuthentication('strict', 'default', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } })], strictMtlsWithoutSidecarRule)).toEqual([]);
  });

  it('applies mesh-wide STRICT from the root namespace to every namespace', () => {
    const findings = check([deployment('legacy', { app: 'legacy' }, 'shop'), peerAuthentication('mesh', 'istio-system')], strictMtlsWithoutSidecarRule);
    expect(findings[0]?.message).toContain('Deployment shop/legacy');
  });

  it('leaves out of a mesh-wide policy the workloads that opt out of the mesh, and gateways', () => {
    const controlPlane = deployment('meshform', { app: 'meshform', 'sidecar.istio.io/inject': 'false' }, 'istio-system');
    const gateway = deployment('istio-ingressgateway', { app: 'istio-ingressgateway', istio: 'ingressgateway' }, 'istio-system');
    expect(check([controlPlane, gateway, peerAuthentication('mesh', 'istio-system')], strictMtlsWithoutSidecarRule)).toEqual([]);
    // A policy that names its workloads still counts them.
    const named = peerAuthentication('strict', 'istio-system', { selector: { matchLabels: { app: 'meshform' } }, mtls: { mode: 'STRICT' } });
    expect(check([controlPlane, named], strictMtlsWithoutSidecarRule)).toHaveLength(1);
  });
});
