/**
 * Proxyless gRPC end to end: a grpc-js-xds client (GENERATOR=grpc) resolves
 * `xds:///echo.default.svc.cluster.local:7070` through `meshform control-plane`
 * (in-process; the client runs in its own process) and calls echo backends on 127.0.0.x registered with WorkloadEntries,
 * routed by a VirtualService over DestinationRule subsets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ControlPlane, startControlPlane } from '../../runtime/control-plane';
import { EchoBackend, EchoCallError, getJson, memoryLogger, startEchoBackend, tempDir, waitFor, writeAtomically, xdsEchoClient } from './support';

const TARGET = 'echo.default.svc.cluster.local:7070';
const NODE_ID = 'sidecar~127.0.0.1~client-0.default~default.svc.cluster.local';
const METADATA = { GENERATOR: 'grpc', NAMESPACE: 'default', LABELS: { app: 'client' } };

function mesh(backends: readonly EchoBackend[]): string {
  const entries = backends.map((b) => `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: echo-${b.version}, namespace: default }
spec:
  address: ${b.address}
  ports: { grpc: ${b.port} }
  labels: { app: echo, version: ${b.version} }
`).join('');
  return `apiVersion: v1
kind: Service
metadata: { name: echo, namespace: default }
spec:
  selector: { app: echo }
  ports: [{ name: grpc, port: 7070 }]
${entries}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo, namespace: default }
spec:
  host: echo
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
  - { name: v3, labels: { version: v3 } }
`;
}

const JASON_AND_SPLIT = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: echo, subset: v2 } }]
  - route:
    - { destination: { host: echo, subset: v1 }, weight: 50 }
    - { destination: { host: echo, subset: v3 }, weight: 50 }
`;

const FAULT_AND_V3 = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http:
  - match: [{ headers: { x-fault: { exact: abort } } }]
    fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 100 } } }
    route: [{ destination: { host: echo, subset: v1 } }]
  - route: [{ destination: { host: echo, subset: v3 } }]
`;

const INVALID = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http:
  - route:
    - { destination: { host: echo, subset: v1 }, weight: 150 }
`;

describe('meshform control-plane serving a grpc-js-xds client', () => {
  let dir: string;
  let plane: ControlPlane | undefined;
  let client: ReturnType<typeof xdsEchoClient> | undefined;
  const backends: EchoBackend[] = [];
  const logger = memoryLogger();

  beforeAll(async () => {
    dir = tempDir('grpc');
    backends.push(...await Promise.all([startEchoBackend('127.0.0.11', 'v1'), startEchoBackend('127.0.0.12', 'v2'), startEchoBackend('127.0.0.13', 'v3')]));
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), mesh(backends));
    fs.writeFileSync(path.join(dir, 'vs.yaml'), JASON_AND_SPLIT);
    plane = await startControlPlane({ configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 20, settleMs: 50, logger });
    client = xdsEchoClient(TARGET, plane.xdsPort, NODE_ID, METADATA);
    await waitFor('a first call through xDS', () => client?.say('hello'), 10_000);
  });

  afterAll(async () => {
    await client?.close();
    await plane?.close();
    await Promise.all(backends.map((b) => b.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('end-user: jason goes to v2', async () => {
    for (let i = 0; i < 20; i++) expect((await client!.say('x', { 'end-user': 'jason' })).version).toBe('v2');
  });

  test('a 50/50 split between v1 and v3 holds within a binomial tolerance over 200 calls', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const v = (await client!.say('x')).version;
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v3']);
    // n = 200, p = 0.5: standard deviation ~7.1; 5 sd either side.
    expect(counts.v1).toBeGreaterThanOrEqual(65);
    expect(counts.v1).toBeLessThanOrEqual(135);
  });

  test('an edit of the VirtualService file reroutes within 2 s, and a fault abort returns UNAVAILABLE', async () => {
    const edited = Date.now();
    writeAtomically(path.join(dir, 'vs.yaml'), FAULT_AND_V3);
    await waitFor('calls rerouted to v3', async () => {
      for (let i = 0; i < 10; i++) if ((await client!.say('x')).version !== 'v3') return false;
      return true;
    }, 2000);
    expect(Date.now() - edited).toBeLessThan(2000);
    const error = await client!.say('x', { 'x-fault': 'abort' }).then(() => undefined, (e: EchoCallError) => e);
    expect(error?.code).toBe(grpcStatus.UNAVAILABLE);
  });

  test('an invalid file leaves routing intact and is reported in /debug/config_errors and the log', async () => {
    writeAtomically(path.join(dir, 'vs.yaml'), INVALID);
    const base = `http://127.0.0.1:${plane!.monitoringPort}`;
    const errors = await waitFor(`the config error (log: ${logger.text()})`, async () => {
      const body = await getJson<{ config: { file?: string; kind?: string; name?: string; errors: string[]; message: string }[] }>(`${base}/debug/config_errors`);
      return body.config.length > 0 ? body.config : undefined;
    });
    expect(errors[0]).toEqual(expect.objectContaining({ file: path.join(dir, 'vs.yaml'), kind: 'VirtualService', name: 'echo' }));
    expect(errors[0]?.errors.join('\n')).toMatch(/weight/);
    expect(logger.text()).toMatch(/warn +config error: .*vs\.yaml#1 \(VirtualService default\/echo\): .*weight/);
    for (let i = 0; i < 20; i++) expect((await client!.say('x')).version).toBe('v3');
    const error = await client!.say('x', { 'x-fault': 'abort' }).then(() => undefined, (e: EchoCallError) => e);
    expect(error?.code).toBe(grpcStatus.UNAVAILABLE);
  });
});
