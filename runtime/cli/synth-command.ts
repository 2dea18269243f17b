import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CONTEXT_ENV, parseContextPairs } from '../../constructs/app-context';

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
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`synthesis of ${options.app} failed:\n${run.stderr.trim()}`);
  }
  if (run.stderr) process.stderr.write(run.stderr);
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort();
  return { files: files.map((f) => path.relative(process.cwd(), path.join(outdir, f))) };
}

function resolveTsNode(app: string): string {
  try {
    return require.resolve('ts-node/register/transpile-only', { paths: [path.dirname(app), process.cwd(), __dirname] });
  } catch {
    throw new Error(`--app: ${app} is TypeScript, which needs ts-node (npm install --save-dev ts-node), or point --app at the compiled .js file`);
  }
}
