import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { CONTEXT_ENV, parseContextPairs } from '../../constructs/app-context';
import { describeManifest, readYamlFiles } from '../config/yaml-files';
import { CliContext } from './cli-context';

export interface SynthOptions {
  /** The cdk8s app to run: a `.ts` file (run through ts-node) or a compiled `.js` file. */
  readonly app: string;
  /** Where the manifests are written. */
  readonly output: string;
  /** `key=value` context pairs handed to the app. */
  readonly context: readonly string[];
}

export interface SynthResult {
  /** The manifest files written, relative to the current directory. */
  readonly files: readonly string[];
  /** What the app printed on stdout and stderr (warnings of the synth-time analysis, for instance). */
  readonly output: string;
}

/**
 * Runs a cdk8s app in its own process, as `cdk8s synth` does, and writes its
 * manifests to `options.output`. Throws with the app's own error output when
 * synthesis fails (a failed synth-time check, for instance).
 */
export function synthesize(options: SynthOptions): SynthResult {
  const app = path.resolve(options.app);
  if (!fs.existsSync(app)) throw new Error(`--app: ${options.app} does not exist`);
  const outdir = path.resolve(options.output);
  const context = parseContextPairs(options.context);

  fs.mkdirSync(outdir, { recursive: true });
  for (const stale of fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))) {
    fs.rmSync(path.join(outdir, stale));
  }

  const preload = app.endsWith('.ts') ? ['-r', resolveTsNode(app)] : [];
  const run = spawnSync(process.execPath, [...preload, app], {
    env: { ...process.env, CDK8S_OUTDIR: outdir, [CONTEXT_ENV]: JSON.stringify(context) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`synthesis of ${options.app} failed:\n${run.stderr.trim()}`);
  }
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort();
  return {
    files: files.map((f) => path.relative(process.cwd(), path.join(outdir, f))),
    output: `${run.stdout}${run.stderr}`,
  };
}

function resolveTsNode(app: string): string {
  try {
    return require.resolve('ts-node/register/transpile-only', { paths: [path.dirname(app), process.cwd(), __dirname] });
  } catch {
    throw new Error(`--app: ${app} is TypeScript, which needs ts-node (npm install --save-dev ts-node), or point --app at the compiled .js file`);
  }
}

/** The app `meshform synth` runs when `--app` is not given: the project's own, else the bundled bookinfo app. */
export function defaultApp(cwd = process.cwd()): string {
  const local = path.join(cwd, 'stacks', 'main.ts');
  return fs.existsSync(local) ? local : BUNDLED_APP;
}

/** The compiled bookinfo app that ships with meshform. */
export const BUNDLED_APP = path.join(__dirname, '..', '..', 'stacks', 'main.js');

/** `meshform synth`: runs a cdk8s app, writes its manifests and prints what they hold. */
export function synthCommand(context: CliContext): Command {
  return new Command('synth')
    .description('synthesize a cdk8s app to Kubernetes manifests (the synth-time mesh analysis runs too)')
    .option('-a, --app <file>', 'the cdk8s app: a .ts file (run with ts-node) or a compiled .js file (default: stacks/main.ts, else the bundled bookinfo app)')
    .option('-o, --output <dir>', 'where to write the manifests', 'dist')
    .option('-c, --context <key=value>', 'a context value for the app, e.g. scenario=split-50 (repeatable)', collect, [])
    .action((opts: { app?: string; output: string; context: string[] }) => {
      const result = synthesize({ app: opts.app ?? defaultApp(), output: opts.output, context: opts.context });
      if (result.output) context.io.err(result.output);
      context.io.out(formatSummary(result.files));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** What the synthesized files hold: objects per kind, and the Istio resources by name. */
export function formatSummary(files: readonly string[]): string {
  const documents = readYamlFiles(files);
  const byKind = new Map<string, number>();
  const istio: string[] = [];
  for (const doc of documents) {
    const object = doc.object as { apiVersion?: unknown; kind?: unknown };
    const kind = typeof object.kind === 'string' ? object.kind : '(no kind)';
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    if (typeof object.apiVersion === 'string' && object.apiVersion.includes('istio.io/')) istio.push(describeManifest(doc.object));
  }
  const lines = [`Synthesized ${documents.length} objects into ${files.join(', ')}`];
  for (const [kind, count] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${String(count).padStart(4)}  ${kind}`);
  }
  if (istio.length > 0) {
    lines.push('', 'Mesh resources:');
    for (const name of istio) lines.push(`  ${name}`);
  }
  return `${lines.join('\n')}\n`;
}
