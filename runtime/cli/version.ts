import * as fs from 'fs';
import * as path from 'path';

/** The version of the meshform package this code belongs to (from its package.json). */
export function packageVersion(): string {
  // Walk up: the sources live in runtime/cli, the compiled code in lib/runtime/cli.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'meshform' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}
