/**
 * RequestAuthentication end to end: keys made here with jose (RS256 and
 * ES256), served inline and from a loopback JWKS URL; the proxy's jwt_authn
 * stage answers 401 to invalid tokens, lets absent ones pass unless an
 * AuthorizationPolicy requires a request principal, and feeds claims to RBAC.
 */
import * as http from 'http';
import * as jose from 'jose';
import { ServerMesh, policy, startServerMesh } from './harness';

const IP = '127.0.78.30';
let mesh: ServerMesh;
let jwksServer: http.Server;
let jwksUrl: string;
let rsa: jose.GenerateKeyPairResult<jose.KeyLike>;
let ec: jose.GenerateKeyPairResult<jose.KeyLike>;
let other: jose.GenerateKeyPairResult<jose.KeyLike>;

const now = (): number => Math.floor(Date.now() / 1000);

function sign(key: jose.KeyLike, alg: string, kid: string, claims: jose.JWTPayload, options: { iss?: string; aud?: string; exp?: number } = {}): Promise<string> {
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg, kid })
    .setIssuer(options.iss ?? 'https://issuer.test')
    .setAudience(options.aud ?? 'reviews')
    .setSubject(String(claims.sub ?? 'alice'))
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 600)
    .sign(key);
}

beforeAll(async () => {
  rsa = await jose.generateKeyPair('RS256');
  ec = await jose.generateKeyPair('ES256');
  other = await jose.generateKeyPair('RS256');
  const rsaJwk = { ...(await jose.exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  const ecJwk = { ...(await jose.exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
  jwksServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [ecJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.78.31', resolve));
  jwksUrl = `http://127.0.78.31:${(jwksServer.address() as { port: number }).port}/jwks.json`;
  mesh = await startServerMesh(IP, '127.0.78.32');
  await mesh.apply(`---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: { name: jwt, namespace: default }
spec:
  selector: { matchLabels: { app: reviews } }
  jwtRules:
  - issuer: https://issuer.test
    audiences: [reviews]
    jwks: '${JSON.stringify({ keys: [rsaJwk] })}'
  - issuer: https://ec.test
    jwksUri: ${jwksUrl}
`, 'https://ec.test', 'jwt.yaml');
}, 30_000);

afterAll(async () => {
  await mesh?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('RequestAuthentication on the inbound listener', () => {
  it('accepts a valid RS256 token and strips it before forwarding', async () => {
    const r = await mesh.call('/', { headers: bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'alice' })) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).headers.authorization).toBeUndefined();
  });

  it('accepts a valid ES256 token whose keys come from a loopback JWKS URL', async () => {
    const token = await sign(ec.privateKey, 'ES256', 'ec-1', { sub: 'bob' }, { iss: 'https://ec.test' });
    expect((await mesh.call('/', { headers: bearer(token) })).status).toBe(200);
  });

  it('rejects an expired token with 401', async () => {
    const token = await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'alice' }, { exp: now() - 3600 });
    const r = await mesh.call('/', { headers: bearer(token) });
    expect(r.status).toBe(401);
    expect(r.body).toBe('Jwt is expired');
    expect(r.headers['www-authenticate']).toContain('invalid_token');
  });

  it('rejects a token from an unknown issuer with 401', async () => {
    const token = await sign(rsa.privateKey, 'RS256', 'rsa-1', {}, { iss: 'https://evil.test' });
    const r = await mesh.call('/', { headers: bearer(token) });
    expect(r.status).toBe(401);
    expect(r.body).toBe('Jwt issuer is not configured');
  });

  it('rejects a token for another audience with 401', async () => {
    const token = await sign(rsa.privateKey, 'RS256', 'rsa-1', {}, { aud: 'ratings' });
    const r = await mesh.call('/', { headers: bearer(token) });
    expect(r.status).toBe(401);
    expect(r.body).toBe('Audiences in Jwt are not allowed');
  });

  it('rejects a tampered token and one signed by another key with 401', async () => {
    const token = await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'alice' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mallory' })).toString('base64url');
    const tampered = await mesh.call('/', { headers: bearer(`${h}.${forged}.${s}`) });
    expect(tampered.status).toBe(401);
    expect(tampered.body).toBe('Jwt verification fails');
    const wrongKey = await mesh.call('/', { headers: bearer(await sign(other.privateKey, 'RS256', 'rsa-1', {})) });
    expect(wrongKey.status).toBe(401);
  });

  it('lets a request without a token pass when no policy requires a principal', async () => {
    expect((await mesh.call('/')).status).toBe(200);
  });

  it('denies a request without a token when a policy requires requestPrincipals ["*"], and matches claims in when', async () => {
    await mesh.apply(policy('require-jwt', `selector: { matchLabels: { app: reviews } }
rules:
- from: [{ source: { requestPrincipals: ["*"] } }]
  when:
  - key: request.auth.claims[groups]
    values: ["admins"]`), 'policy[require-jwt]');
    const none = await mesh.call('/');
    expect(none.status).toBe(403);
    expect(none.body).toBe('RBAC: access denied');
    const admin = await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'alice', groups: ['devs', 'admins'] });
    expect((await mesh.call('/', { headers: bearer(admin) })).status).toBe(200);
    const dev = await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'carol', groups: ['devs'] });
    expect((await mesh.call('/', { headers: bearer(dev) })).status).toBe(403);
    const expired = await sign(rsa.privateKey, 'RS256', 'rsa-1', { groups: ['admins'] }, { exp: now() - 3600 });
    expect((await mesh.call('/', { headers: bearer(expired) })).status).toBe(401);
  });

  it('matches a request principal exactly', async () => {
    await mesh.apply(policy('only-alice', `rules:
- from: [{ source: { requestPrincipals: ["https://issuer.test/alice"] } }]`), 'policy[only-alice]');
    expect((await mesh.call('/', { headers: bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'alice' })) })).status).toBe(200);
    expect((await mesh.call('/', { headers: bearer(await sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: 'bob' })) })).status).toBe(403);
  });
});
