/**
 * One measurement of the synthesis benchmark, run in a fresh process by run.ts:
 *
 *   node lib/bench/synth/case.js plain|mesh SERVICES
 *
 * Prints one JSON line (CaseResult). `wallMs` runs from process start (module
 * loading included) to the manifests written by `app.synth()` — what `cdk8s synth`
 * runs; `synthMs` covers building the construct tree, checking it and writing it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Mesh } from '../../constructs/mesh';
import { HttpMatch, RouteTarget, ServiceTraffic } from '../../constructs/traffic';

export interface CaseResult {
  readonly kind: string;
  readonly services: number;
  readonly wallMs: number;
  readonly synthMs: number;
  readonly objects: number;
  readonly bytes: number;
  readonly rssMb: number;
}

const VERSIONS = ['v1', 'v2'] as const;
const IMAGE = 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2';
const PORT = 9080;

/** The same N services' workloads, in plain cdk8s-plus: a Deployment per version and a Service. */
function plain(chart: Chart, services: number): void {
  for (let i = 0; i < services; i++) {
    const name = `svc-${i}`;
    new kplus.Service(chart, `${name}-service`, {
      metadata: { name },
      selector: kplus.Pods.select(chart, `${name}-select`, { labels: { app: name } }),
      ports: [{ name: 'http', port: PORT, targetPort: PORT }],
    });
    for (const version of VERSIONS) {
      const deployment = new kplus.Deployment(chart, `${name}-${version}`, {
        metadata: { name: `${name}-${version}` },
        podMetadata: { labels: { app: name, version } },
        select: false,
      });
      deployment.select(kplus.LabelSelector.of({ labels: { app: name, version } }));
      deployment.addContainer({ name: 'app', image: IMAGE, portNumber: PORT, securityContext: { ensureNonRoot: false } });
    }
  }
}

/** The mesh: each service with two versions, a VirtualService (header canary) and a DestinationRule. */
function mesh(chart: Chart, services: number): void {
  const m = new Mesh(chart, 'mesh');
  for (let i = 0; i < services; i++) {
    const name = `svc-${i}`;
    const service = m.addService(name, {
      name,
      ports: [{ name: 'http', port: PORT }],
      versions: VERSIONS.map((version) => ({ version, image: IMAGE })),
    });
    const traffic = new ServiceTraffic(chart, `${name}-traffic`, { service });
    traffic.addRoute({ match: [HttpMatch.header('x-canary', 'true')], to: RouteTarget.version('v2') });
    traffic.addRoute({ to: RouteTarget.version('v1') });
  }
}

function main(): void {
  const [kind, count] = process.argv.slice(2);
  const services = Number(count);
  const build = kind === 'plain' ? plain : kind === 'mesh' ? mesh : undefined;
  if (!build || !Number.isInteger(services) || services < 1) {
    throw new Error(`usage: case.js plain|mesh SERVICES (got ${process.argv.slice(2).join(' ')})`);
  }
  const start = performance.now();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-bench-synth-'));
  const app = new App({ outdir });
  build(new Chart(app, 'bench'), services);
  app.synth();
  const end = performance.now();
  const yaml = fs.readFileSync(path.join(outdir, 'bench.k8s.yaml'), 'utf8');
  fs.rmSync(outdir, { recursive: true, force: true });
  const result: CaseResult = {
    kind,
    services,
    wallMs: end,
    synthMs: end - start,
    objects: (yaml.match(/^kind: /gm) ?? []).length,
    bytes: Buffer.byteLength(yaml),
    rssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
