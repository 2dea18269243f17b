/**
 * Gateway, ServiceEntry, WorkloadEntry, Sidecar and the security kinds: one bad object
 * per rule that matters, with the expected message.
 */
import { validateSpec } from '../../constructs/api';

function errorsOf(kind: string, spec: unknown): string[] {
  const result = validateSpec(kind, spec);
  return result.ok ? [] : result.errors;
}

test('Gateway: a wrong TLS mode', () => {
  const spec = { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, protocol: 'HTTPS', name: 'https' }, hosts: ['*'], tls: { mode: 'STRICT' } }] };
  expect(errorsOf('Gateway', spec)).toEqual([
    'spec.servers[0].tls.mode: expected one of PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL, OPTIONAL_MUTUAL, got "STRICT"',
  ]);
});

test('Gateway: servers need hosts and a port', () => {
  expect(errorsOf('Gateway', { servers: [{ name: 'x' }] })).toEqual(['spec.servers[0].port: required field missing', 'spec.servers[0].hosts: required field missing']);
});

test('Gateway: port 65536 is out of range', () => {
  expect(errorsOf('Gateway', { servers: [{ port: { number: 65536, protocol: 'HTTP', name: 'http' }, hosts: ['*'] }] })).toEqual([
    'spec.servers[0].port.number: expected integer <= 65535, got 65536',
  ]);
});

test('ServiceEntry: a wrong resolution', () => {
  expect(errorsOf('ServiceEntry', { hosts: ['api.example.com'], resolution: 'DNS_ANY' })).toEqual([
    'spec.resolution: expected one of NONE, STATIC, DNS, DNS_ROUND_ROBIN, got "DNS_ANY"',
  ]);
});

test('ServiceEntry: hosts are required and non-empty', () => {
  expect(errorsOf('ServiceEntry', { location: 'MESH_EXTERNAL' })).toEqual(['spec.hosts: required field missing']);
  expect(errorsOf('ServiceEntry', { hosts: [] })).toEqual(['spec.hosts: expected at least 1 item(s), got 0']);
});

test('ServiceEntry: endpoints and workloadSelector are exclusive', () => {
  expect(errorsOf('ServiceEntry', { hosts: ['a'], endpoints: [{ address: '1.2.3.4' }], workloadSelector: { labels: { app: 'a' } } })).toEqual([
    'spec: at most one of endpoints, workloadSelector may be set, got endpoints, workloadSelector',
  ]);
});

test('WorkloadEntry: port map values are checked', () => {
  expect(errorsOf('WorkloadEntry', { address: '10.0.0.1', ports: { http: 70000 } })).toEqual(['spec.ports.http: expected integer <= 65535, got 70000']);
});

test('Sidecar: a wrong capture mode and missing egress hosts', () => {
  const spec = { egress: [{ bind: '127.0.0.2', captureMode: 'TPROXY' }] };
  expect(errorsOf('Sidecar', spec).sort()).toEqual([
    'spec.egress[0].captureMode: expected one of DEFAULT, IPTABLES, NONE, got "TPROXY"',
    'spec.egress[0].hosts: required field missing',
  ]);
});

test('Sidecar: outbound policy mode', () => {
  expect(errorsOf('Sidecar', { outboundTrafficPolicy: { mode: 'DENY' } })).toEqual([
    'spec.outboundTrafficPolicy.mode: expected one of REGISTRY_ONLY, ALLOW_ANY, got "DENY"',
  ]);
});

test('Sidecar: the networking selector uses labels, not matchLabels', () => {
  expect(errorsOf('Sidecar', { workloadSelector: { matchLabels: { app: 'a' } } }).sort()).toEqual([
    'spec.workloadSelector.labels: required field missing',
    'spec.workloadSelector.matchLabels: unknown field',
  ]);
});

test('PeerAuthentication: a wrong mode, also per port', () => {
  expect(errorsOf('PeerAuthentication', { mtls: { mode: 'ON' }, portLevelMtls: { '8080': { mode: 'OFF' } } })).toEqual([
    'spec.mtls.mode: expected one of UNSET, DISABLE, PERMISSIVE, STRICT, got "ON"',
    'spec.portLevelMtls[8080].mode: expected one of UNSET, DISABLE, PERMISSIVE, STRICT, got "OFF"',
  ]);
});

test('AuthorizationPolicy: a wrong action and a typo in a source', () => {
  expect(errorsOf('AuthorizationPolicy', { action: 'PERMIT', rules: [{ from: [{ source: { principal: ['a'] } }] }] })).toEqual([
    'spec.rules[0].from[0].source.principal: unknown field',
    'spec.action: expected one of ALLOW, DENY, AUDIT, CUSTOM, got "PERMIT"',
  ]);
});

test('AuthorizationPolicy: an empty spec (deny all) is valid', () => {
  expect(errorsOf('AuthorizationPolicy', {})).toEqual([]);
});

test('AuthorizationPolicy: ports are strings, as in Istio', () => {
  expect(errorsOf('AuthorizationPolicy', { rules: [{ to: [{ operation: { ports: [8080] } }] }] })).toEqual([
    'spec.rules[0].to[0].operation.ports[0]: expected string, got 8080',
  ]);
});

test('RequestAuthentication: a rule needs an issuer; jwks and jwksUri are exclusive', () => {
  expect(errorsOf('RequestAuthentication', { jwtRules: [{ jwksUri: 'https://x' }] })).toEqual(['spec.jwtRules[0].issuer: required field missing']);
  expect(errorsOf('RequestAuthentication', { jwtRules: [{ issuer: 'i', jwksUri: 'https://x', jwks: '{}' }] })).toEqual([
    'spec.jwtRules[0]: at most one of jwksUri, jwks may be set, got jwksUri, jwks',
  ]);
});

test('an unknown kind is reported', () => {
  expect(errorsOf('HTTPRoute', {})).toEqual(['kind: unknown kind "HTTPRoute"']);
});
