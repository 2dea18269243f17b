/**
 * `meshform up` when a child dies: the death is reported with the child's name,
 * how it ended and its last output lines; every other process is stopped and
 * `up` exits 1. A one-workload mesh keeps this quick (control plane, app, sidecar).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BIN, ensureBuilt } from '../support/built-lib';
import { alive, eventually, pidsWith } from './support';

const BLOCK = 100 + ((process.pid + 75) % 150);

const MANIFESTS = `apiVersion: v1
kind: Service
metadata: {name: details, namespace: default}
spec:
  selector: {app: details}
  ports: [{name: http, port: 9080, targetPort: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: details-v1, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: details, version: v1}}
  template:
    metadata:
      labels: {app: details, version: v1, sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: details
      containers:
      - name: details
        image: example/details:v1
        ports: [{containerPort: 9080, name: http}]
`;

describe('meshform up: a child dies', () => {
  let dir: string;
  let up: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let pids: number[] = [];

  beforeAll(() => {
    ensureBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-up-crash-'));
    fs.mkdirSync(path.join(dir, 'manifests'));
    fs.writeFileSync(path.join(dir, 'manifests', 'details.yaml'), MANIFESTS);
  }, 200_000);

  afterAll(() => {
    if (up && up.exitCode === null) up.kill('SIGKILL');
    for (const pid of [...pids, ...pidsWith(`127.${BLOCK}.`)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('is reported with its last output, and every other process is stopped', async () => {
    up = spawn(process.execPath, [
      BIN, 'up', '--dir', path.join(dir, 'manifests'), '--state-dir', path.join(dir, 'state'), '--address-block', String(BLOCK),
      '--xds-port', '0', '--monitoring-port', '0', '--admin-base-port', '0',
    ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    up.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exit = new Promise<number | null>((resolve) => up?.once('exit', (code) => resolve(code)));
    await eventually('the mesh ready', async () => {
      if (up?.exitCode !== null) throw new Error(`up exited: ${stdout}\n${stderr}`);
      return stdout.includes('Ctrl-C stops the mesh.');
    }, 60_000);
    expect(stdout).toContain('No ingress gateway serves HTTP');
    pids = pidsWith(`127.${BLOCK}.`).concat(pidsWith(path.join(dir, 'state', 'config')));
    expect(new Set(pids).size).toBe(3);

    const [app] = pidsWith(`--listen 127.${BLOCK}.2.2:9080`);
    process.kill(app, 'SIGKILL');
    expect(await exit).toBe(1);
    expect(stderr).toContain('meshform up: app details-v1-local-00001 killed by SIGKILL; its last output:');
    expect(stderr).toContain('details v1 listening on http://127.');
    expect(stdout).toContain('stopped: all 3 processes have exited');
    expect(pids.filter(alive)).toEqual([]);
  }, 90_000);
});
