/**
 * Where the `meshform` command and the orphan guard are, whether this code runs
 * compiled (`lib/runtime/local/`) or from source under ts-jest (`runtime/local/`).
 * Children always run the compiled command (`bin/meshform` requires `lib/`).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The package root: the nearest directory above this file holding `bin/meshform`. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'bin', 'meshform')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find bin/meshform above ${from}`);
    dir = up;
  }
}

/** The `meshform` launcher script. */
export function meshformBin(): string {
  return path.join(packageRoot(), 'bin', 'meshform');
}

/** The compiled orphan guard, or undefined when lib/ is not built. */
export function orphanGuard(): string | undefined {
  const candidates = [path.join(__dirname, 'orphan-guard.js'), path.join(packageRoot(), 'lib', 'runtime', 'local', 'orphan-guard.js')];
  return candidates.find((c) => fs.existsSync(c));
}

/** `node [-r guard] bin/meshform <args>`: the command and arguments that run a `meshform` subcommand as a child. */
export function meshformCommand(args: readonly string[]): { command: string; args: string[] } {
  const guard = orphanGuard();
  return { command: process.execPath, args: [...(guard ? ['-r', guard] : []), meshformBin(), ...args] };
}
