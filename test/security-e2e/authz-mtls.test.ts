/**
 * AuthorizationPolicy `principals` and `namespaces` over real mTLS: the
 * reviews sidecar admits or denies by the SPIFFE ID the client's certificate
 * proves (the client sidecar, or a mesh certificate minted for another
 * identity), never by anything the client says in a header.
 */
import { policy } from '../authz/harness';
import { SecureMesh, startSecureMesh } from './harness';

jest.setTimeout(30_000);

describe('AuthorizationPolicy from.source over mTLS', () => {
  let mesh: SecureMesh;
  beforeAll(async () => {
    mesh = await startSecureMesh('127.0.98');
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('principals: admits the client sidecar and denies another identity', async () => {
    // GIVEN an ALLOW policy naming the client's service account
    await mesh.apply('authz.yaml', policy('only-client', `selector: { matchLabels: { app: reviews } }
action: ALLOW
rules:
- from: [{ source: { principals: ["cluster.local/ns/default/sa/client"] } }]`), 'policy[only-client]');
    // WHEN the client sidecar calls (mTLS with its own certificate)
    const allowed = await mesh.viaMesh('/by-principal');
    // THEN it is admitted
    expect(allowed.status).toBe(200);
    // AND another mesh identity, in the same namespace, is denied
    const other = await mesh.callAs(await mesh.mint('default', 'ratings'), '/by-principal');
    expect(other.status).toBe(403);
    expect(other.body).toBe('RBAC: access denied');
    // AND an identity claimed in a header means nothing
    const claimed = await mesh.callAs(await mesh.mint('default', 'ratings'), '/by-principal', {
      'x-forwarded-client-cert': 'URI=spiffe://cluster.local/ns/default/sa/client',
    });
    expect(claimed.status).toBe(403);
  });

  it('principals with a wildcard and notPrincipals', async () => {
    await mesh.apply('authz.yaml', policy('not-client', `selector: { matchLabels: { app: reviews } }
rules:
- from: [{ source: { principals: ["cluster.local/ns/default/*"], notPrincipals: ["cluster.local/ns/default/sa/client"] } }]`), 'policy[not-client]');
    expect((await mesh.viaMesh('/wild')).status).toBe(403);
    expect((await mesh.callAs(await mesh.mint('default', 'ratings'), '/wild')).status).toBe(200);
  });

  it('namespaces: admits identities of the namespace and denies others', async () => {
    await mesh.apply('authz.yaml', policy('from-default', `selector: { matchLabels: { app: reviews } }
rules:
- from: [{ source: { namespaces: ["default"] } }]`), 'policy[from-default]');
    expect((await mesh.viaMesh('/by-namespace')).status).toBe(200);
    expect((await mesh.callAs(await mesh.mint('default', 'ratings'), '/by-namespace')).status).toBe(200);
    const foreign = await mesh.callAs(await mesh.mint('shop', 'client'), '/by-namespace');
    expect(foreign.status).toBe(403);
    expect(foreign.body).toBe('RBAC: access denied');
  });

  it('DENY by namespace wins over an ALLOW of everyone', async () => {
    await mesh.apply('authz.yaml', policy('allow-all', `rules:
- {}`) + policy('deny-shop', `action: DENY
rules:
- from: [{ source: { notNamespaces: ["default"] } }]`), 'policy[deny-shop]');
    expect((await mesh.viaMesh('/deny-ns')).status).toBe(200);
    expect((await mesh.callAs(await mesh.mint('shop', 'web'), '/deny-ns')).status).toBe(403);
  });
});
