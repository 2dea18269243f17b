import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import * as jose from 'jose';
import type { RequestAuthenticationSpec, JWTRule } from '../../constructs/api/request-authentication';
import { JwtAuthenticator, JwtAuthenticatorOptions, JwtOutcome, PolicyObject, compileAuthorization } from '../../runtime/security';

const ISS = 'https://issuer.example';
type Key = { privateKey: jose.KeyLike; jwk: jose.JWK; alg: string };

async function makeKey(alg: 'RS256' | 'ES256', kid: string): Promise<Key> {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg);
  return { privateKey, alg, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

async function sign(key: Key, claims: jose.JWTPayload = {}, opts: { exp?: string | number; iss?: string; aud?: string | string[]; sub?: string } = {}): Promise<string> {
  return new jose.SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.jwk.kid })
    .setIssuer(opts.iss ?? ISS)
    .setSubject(opts.sub ?? 'alice')
    .setAudience(opts.aud ?? 'shop')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h')
    .sign(key.privateKey);
}

function ra(rules: JWTRule[]): PolicyObject<RequestAuthenticationSpec> {
  return { namespace: 'shop', name: 'jwt', spec: { jwtRules: rules } };
}

function authenticator(rules: JWTRule[], options: JwtAuthenticatorOptions = {}): JwtAuthenticator {
  const result = JwtAuthenticator.compile([ra(rules)], { namespace: 'shop', labels: {} }, options);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value;
}

function bearer(token: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}` } };
}

function failure(outcome: JwtOutcome): string | undefined {
  return outcome.ok ? undefined : `${outcome.status} ${outcome.message}`;
}

let rsa: Key;
let ec: Key;
let ecRotated: Key;
beforeAll(async () => {
  [rsa, ec, ecRotated] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('ES256', 'ec-2')]);
});

describe('RequestAuthentication with inline JWKS', () => {
  let auth: JwtAuthenticator;
  beforeAll(() => {
    auth = authenticator([{ issuer: ISS, audiences: ['shop', 'billing'], jwks: JSON.stringify({ keys: [rsa.jwk, ec.jwk] }) }]);
  });

  test('a valid RS256 token gives principal <iss>/<sub>, audiences and claims; the token header is stripped', async () => {
    const outcome = await auth.authenticate(bearer(await sign(rsa, { groups: ['admins'] })));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.auth?.principal).toBe('https://issuer.example/alice');
    expect(outcome.auth?.audiences).toEqual(['shop']);
    expect(outcome.auth?.claims.groups).toEqual(['admins']);
    expect(outcome.headersToRemove).toEqual(['authorization']);
  });

  test('a valid ES256 token', async () => {
    const outcome = await auth.authenticate(bearer(await sign(ec, {}, { aud: ['billing', 'x'] })));
    expect(outcome.ok && outcome.auth?.audiences).toEqual(['billing', 'x']);
  });

  test('no token: passes without a principal', async () => {
    const outcome = await auth.authenticate({ headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(outcome).toEqual({ ok: true, headersToRemove: [], headersToAdd: {} });
  });

  test('expired (beyond the 60 s skew) → 401', async () => {
    const token = await sign(ec, {}, { exp: Math.floor(Date.now() / 1000) - 120 });
    expect(failure(await auth.authenticate(bearer(token)))).toBe('401 Jwt is expired');
    const withinSkew = await sign(ec, {}, { exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await auth.authenticate(bearer(withinSkew))).ok).toBe(true);
  });

  test('wrong issuer → 401', async () => {
    expect(failure(await auth.authenticate(bearer(await sign(ec, {}, { iss: 'https://evil.example' }))))).toBe('401 Jwt issuer is not configured');
  });

  test('wrong audience → 401', async () => {
    expect(failure(await auth.authenticate(bearer(await sign(ec, {}, { aud: 'other' }))))).toBe('401 Audiences in Jwt are not allowed');
  });

  test('tampered signature or payload → 401', async () => {
    const token = await sign(rsa);
    const [h, p, s] = token.split('.');
    const badSig = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(failure(await auth.authenticate(bearer(badSig)))).toBe('401 Jwt verification fails');
    const payload = Buffer.from(JSON.stringify({ ...jose.decodeJwt(token), sub: 'admin' })).toString('base64url');
    expect(failure(await auth.authenticate(bearer(`${h}.${payload}.${s}`)))).toBe('401 Jwt verification fails');
    expect(failure(await auth.authenticate(bearer('not-a-jwt')))).toMatch(/^401 Jwt is not in the form/);
  });

  test('a key the set lacks (inline: never refetched) → 401', async () => {
    expect(failure(await auth.authenticate(bearer(await sign(ecRotated))))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
  });
});

describe('token locations and outputs', () => {
  test('custom fromHeaders / fromParams replace the defaults', async () => {
    const auth = authenticator([{
      issuer: ISS,
      jwks: JSON.stringify({ keys: [ec.jwk] }),
      fromHeaders: [{ name: 'X-Jwt-Assertion' }],
      fromParams: ['token'],
      forwardOriginalToken: true,
      outputClaimToHeaders: [{ header: 'x-user', claim: 'sub' }],
      outputPayloadToHeader: 'x-jwt-payload',
    }]);
    const token = await sign(ec);
    const fromHeader = await auth.authenticate({ headers: { 'x-jwt-assertion': token } });
    expect(fromHeader.ok && fromHeader.auth?.principal).toBe(`${ISS}/alice`);
    if (!fromHeader.ok) return;
    expect(fromHeader.headersToRemove).toEqual([]);
    expect(fromHeader.headersToAdd['x-user']).toBe('alice');
    expect(JSON.parse(Buffer.from(fromHeader.headersToAdd['x-jwt-payload'], 'base64url').toString()).sub).toBe('alice');
    const fromParam = await auth.authenticate({ headers: {}, path: `/items?token=${token}` });
    expect(fromParam.ok && fromParam.auth?.principal).toBe(`${ISS}/alice`);
    const defaultHeader = await auth.authenticate(bearer(token));
    expect(defaultHeader.ok && defaultHeader.auth).toBeUndefined();
  });

  test('default locations: Authorization Bearer and access_token', async () => {
    const auth = authenticator([{ issuer: ISS, jwks: JSON.stringify({ keys: [ec.jwk] }) }]);
    const outcome = await auth.authenticate({ headers: {}, path: `/x?access_token=${await sign(ec)}` });
    expect(outcome.ok && outcome.auth?.principal).toBe(`${ISS}/alice`);
  });

  test('claims feed AuthorizationPolicy when conditions', async () => {
    const auth = authenticator([{ issuer: ISS, jwks: JSON.stringify({ keys: [ec.jwk] }) }]);
    const authz = compileAuthorization([{
      namespace: 'shop',
      name: 'admins-only',
      spec: { rules: [{ from: [{ source: { requestPrincipals: [`${ISS}/*`] } }], when: [{ key: 'request.auth.claims[groups]', values: ['admins'] }] }] },
    }], { namespace: 'shop', labels: {} });
    const admin = await auth.authenticate(bearer(await sign(ec, { groups: ['admins'] })));
    const dev = await auth.authenticate(bearer(await sign(ec, { groups: ['dev'] })));
    expect(admin.ok && authz.evaluate({ method: 'GET', path: '/', auth: admin.auth }).allowed).toBe(true);
    expect(dev.ok && authz.evaluate({ method: 'GET', path: '/', auth: dev.auth }).allowed).toBe(false);
  });
});

describe('JWKS from a file or a loopback URL', () => {
  let server: http.Server;
  let keys: jose.JWK[];
  let fetches = 0;
  let url: string;
  beforeAll(async () => {
    keys = [ec.jwk];
    server = http.createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('fetched once and cached; an unknown kid triggers one refetch, then a cooldown', async () => {
    let now = Date.now();
    const auth = authenticator([{ issuer: ISS, jwksUri: url }], { now: () => new Date(now), cooldownMs: 30_000 });
    fetches = 0;
    expect((await auth.authenticate(bearer(await sign(ec)))).ok).toBe(true);
    expect((await auth.authenticate(bearer(await sign(ec)))).ok).toBe(true);
    expect(fetches).toBe(1);

    keys = [ec.jwk, ecRotated.jwk]; // the issuer rotates
    expect((await auth.authenticate(bearer(await sign(ecRotated)))).ok).toBe(true);
    expect(fetches).toBe(2);

    const unknown = await makeKey('ES256', 'ec-3');
    expect(failure(await auth.authenticate(bearer(await sign(unknown))))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    expect(fetches).toBe(2); // within the cooldown: no refetch
    now += 31_000;
    keys = [ec.jwk, ecRotated.jwk, unknown.jwk];
    expect((await auth.authenticate(bearer(await sign(unknown)))).ok).toBe(true);
    expect(fetches).toBe(3);
  });

  test('a file:// JWKS with an RS256 key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-jwks-'));
    try {
      const file = path.join(dir, 'jwks.json');
      fs.writeFileSync(file, JSON.stringify({ keys: [rsa.jwk] }));
      const auth = authenticator([{ issuer: ISS, jwksUri: `file://${file}` }]);
      expect((await auth.authenticate(bearer(await sign(rsa)))).ok).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('compile errors: non-loopback jwksUri, bad inline JWKS, no keys at all', () => {
    const result = JwtAuthenticator.compile([ra([
      { issuer: ISS, jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' },
      { issuer: ISS, jwks: '{"nokeys": true}' },
      { issuer: ISS },
    ])]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      "RequestAuthentication shop/jwt: spec.jwtRules[0].jwksUri: expected a file:// URL or an http(s) URL on loopback (127.0.0.0/8, ::1, localhost) in local mode (got 'https://www.googleapis.com/oauth2/v3/certs')",
      'RequestAuthentication shop/jwt: spec.jwtRules[1].jwks: expected a JSON Web Key Set: an object with a "keys" array',
      'RequestAuthentication shop/jwt: spec.jwtRules[2]: expected jwks or jwksUri (OpenID discovery from the issuer is not supported)',
    ]);
  });
});
