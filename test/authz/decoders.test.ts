/** Decoders of the RBAC and jwt_authn filter configs, after a wire round trip. */
import { packResource, unpackResource } from '../../runtime/xds/protos';
import { decodeJwtAuthn, decodeRbac, JWT_AUTHN_TYPE_URL, RBAC_TYPE_URL } from '../../runtime/xds/resources';
import { Issues, Message } from '../../runtime/xds/resources/private/reader';

function roundTrip(typeUrl: string, body: Record<string, unknown>): { m: Message; issues: Issues } {
  const plain = unpackResource(packResource(typeUrl, body));
  const issues = new Issues();
  return { m: Message.root(plain, issues) as Message, issues };
}

describe('RBAC decoder', () => {
  it('keeps an ALLOW rule set without policies (deny all) through the wire', () => {
    const { m, issues } = roundTrip(RBAC_TYPE_URL, { rules: { action: 'ALLOW', policies: {} } });
    expect(decodeRbac(m)).toEqual({ rules: { action: 'ALLOW', policies: [] }, rulesStatPrefix: '' });
    expect(issues.list).toEqual([]);
  });

  it('reads policies in name order with nested permissions and principals', () => {
    const { m, issues } = roundTrip(RBAC_TYPE_URL, { rules: { action: 'DENY', policies: {
      b: { permissions: [{ not_rule: { url_path: { path: { prefix: '/x' } } } }], principals: [{ direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: 8 } }] },
      a: { permissions: [{ destination_port: 80 }], principals: [{ authenticated: { principal_name: { exact: 'spiffe://x' } } }] },
    } } });
    const config = decodeRbac(m);
    expect(issues.list).toEqual([]);
    expect(config.rules?.policies.map((p) => p.name)).toEqual(['a', 'b']);
    expect(config.rules?.policies[1]?.principals[0]).toEqual({ kind: 'directRemoteIp', cidr: { address: '10.0.0.0', prefixLength: 8 } });
  });

  it('rejects CEL conditions and empty permission lists, naming the field', () => {
    const issues = new Issues();
    decodeRbac(Message.root({ rules: { policies: { p: { permissions: [], principals: [{ any: true }], condition: { id: 1 } } } } }, issues) as Message);
    expect(issues.list).toEqual([
      'rules.policies[p].condition: CEL conditions are not supported',
      'rules.policies[p].permissions: must hold at least 1 item (got 0)',
    ]);
  });
});

describe('jwt_authn decoder', () => {
  it('reads providers and the requirement Istio renders', () => {
    const { m, issues } = roundTrip(JWT_AUTHN_TYPE_URL, {
      providers: { 'origins-0': { issuer: 'https://i', audiences: ['a'], local_jwks: { inline_string: '{"keys":[]}' }, from_headers: [{ name: 'X-Jwt', value_prefix: 'T ' }], payload_in_metadata: 'https://i' } },
      rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'origins-0' }, { allow_missing: {} }] } } }],
    });
    const config = decodeJwtAuthn(m);
    expect(issues.list).toEqual([]);
    expect(config.providers.get('origins-0')).toMatchObject({ issuer: 'https://i', audiences: ['a'], fromHeaders: [{ name: 'x-jwt', valuePrefix: 'T ' }], payloadInMetadata: 'https://i' });
    expect(config.rules[0]?.requires).toEqual({ kind: 'any', requirements: [{ kind: 'provider', provider: 'origins-0' }, { kind: 'allowMissing' }] });
  });

  it('rejects a JWKS URL off loopback and an unknown provider', () => {
    const issues = new Issues();
    decodeJwtAuthn(Message.root({
      providers: { p: { issuer: 'i', remote_jwks: { http_uri: { uri: 'https://example.com/jwks', cluster: 'c', timeout: '5s' } } } },
      rules: [{ match: { prefix: '/' }, requires: { provider_name: 'q' } }],
    }, issues) as Message);
    expect(issues.list[0]).toMatch(/^providers\[p\]\.remote_jwks\.http_uri\.uri: expected a file:\/\/ URL or an http\(s\) URL on loopback/);
    expect(issues.list[1]).toBe("rules[0].requires.provider_name: unknown provider 'q'");
  });
});
