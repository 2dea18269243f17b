import type { PeerAuthenticationSpec } from '../../constructs/api/peer-authentication';
import { PolicyObject, acceptsConnection, compilePeerAuthentication, resolveMtlsMode } from '../../runtime/security';

const api = { namespace: 'shop', labels: { app: 'api' } };

function pa(namespace: string, name: string, spec: PeerAuthenticationSpec, creationTimestamp?: string): PolicyObject<PeerAuthenticationSpec> {
  return { namespace, name, spec, ...(creationTimestamp ? { creationTimestamp } : {}) };
}

describe('PeerAuthentication resolution', () => {
  test('no policy: PERMISSIVE by default', () => {
    expect(resolveMtlsMode([], api, 8080)).toEqual({ mode: 'PERMISSIVE', scope: 'default' });
  });

  test('mesh-wide, then namespace-wide, then workload: most specific wins', () => {
    const mesh = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    const ns = pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } });
    const wl = pa('shop', 'api', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } });
    expect(resolveMtlsMode([mesh], api, 80)).toEqual({ mode: 'STRICT', scope: 'mesh', policy: 'istio-system/default' });
    expect(resolveMtlsMode([mesh, ns], api, 80)).toEqual({ mode: 'PERMISSIVE', scope: 'namespace', policy: 'shop/default' });
    expect(resolveMtlsMode([mesh, ns, wl], api, 80)).toEqual({ mode: 'DISABLE', scope: 'workload', policy: 'shop/api' });
    expect(resolveMtlsMode([mesh, ns, wl], { namespace: 'shop', labels: { app: 'db' } }, 80).scope).toBe('namespace');
    expect(resolveMtlsMode([mesh, ns, wl], { namespace: 'web', labels: { app: 'api' } }, 80).scope).toBe('mesh');
  });

  test('UNSET (or no mtls) inherits from the parent scope', () => {
    const mesh = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    const ns = pa('shop', 'default', { mtls: { mode: 'UNSET' } });
    const wl = pa('shop', 'api', { selector: { matchLabels: { app: 'api' } } });
    expect(resolveMtlsMode([mesh, ns, wl], api, 80)).toEqual({ mode: 'STRICT', scope: 'mesh', policy: 'istio-system/default' });
  });

  test('port-level modes on a workload policy; UNSET ports inherit the workload mode', () => {
    const ns = pa('shop', 'default', { mtls: { mode: 'STRICT' } });
    const wl = pa('shop', 'api', {
      selector: { matchLabels: { app: 'api' } },
      portLevelMtls: { '9090': { mode: 'DISABLE' }, '8443': { mode: 'PERMISSIVE' }, '7000': { mode: 'UNSET' } },
    });
    const compiled = compilePeerAuthentication([ns, wl], api);
    expect(compiled.forPort(9090)).toEqual({ mode: 'DISABLE', scope: 'port', policy: 'shop/api' });
    expect(compiled.forPort(8443)).toEqual({ mode: 'PERMISSIVE', scope: 'port', policy: 'shop/api' });
    expect(compiled.forPort(7000)).toEqual({ mode: 'STRICT', scope: 'namespace', policy: 'shop/default' });
    expect(compiled.forPort(8080)).toEqual({ mode: 'STRICT', scope: 'namespace', policy: 'shop/default' });
    expect([...compiled.ports.keys()].sort()).toEqual([7000, 8443, 9090]);
  });

  test('portLevelMtls without a selector is ignored, with a note', () => {
    const ns = pa('shop', 'default', { mtls: { mode: 'STRICT' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } });
    const compiled = compilePeerAuthentication([ns], api);
    expect(compiled.forPort(9090).mode).toBe('STRICT');
    expect(compiled.notes).toEqual(['PeerAuthentication shop/default: portLevelMtls ignored (it applies only with a workload selector)']);
  });

  test('a selector in the root namespace does not make a workload policy', () => {
    const root = pa('istio-system', 'api-everywhere', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } });
    const compiled = compilePeerAuthentication([root], api);
    expect(compiled.workload).toEqual({ mode: 'PERMISSIVE', scope: 'default' });
    expect(compiled.notes[0]).toContain('ignored');
  });

  test('several policies at one level: the oldest wins', () => {
    const newer = pa('shop', 'b-newer', { mtls: { mode: 'DISABLE' } }, '2025-02-01T00:00:00Z');
    const older = pa('shop', 'z-older', { mtls: { mode: 'STRICT' } }, '2025-01-01T00:00:00Z');
    expect(resolveMtlsMode([newer, older], api, 80)).toMatchObject({ mode: 'STRICT', policy: 'shop/z-older' });
    const w1 = pa('shop', 'w1', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } }, '2025-03-01T00:00:00Z');
    const w2 = pa('shop', 'w2', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } }, '2024-03-01T00:00:00Z');
    expect(resolveMtlsMode([w1, w2], api, 80)).toMatchObject({ mode: 'STRICT', policy: 'shop/w2' });
  });

  test('a custom root namespace', () => {
    const mesh = pa('mesh-root', 'default', { mtls: { mode: 'STRICT' } });
    expect(resolveMtlsMode([mesh], api, 80).mode).toBe('PERMISSIVE');
    expect(resolveMtlsMode([mesh], api, 80, { rootNamespace: 'mesh-root' }).mode).toBe('STRICT');
  });

  test('acceptsConnection', () => {
    expect(acceptsConnection('STRICT', false)).toBe(false);
    expect(acceptsConnection('STRICT', true)).toBe(true);
    expect(acceptsConnection('PERMISSIVE', false)).toBe(true);
    expect(acceptsConnection('DISABLE', false)).toBe(true);
  });
});
