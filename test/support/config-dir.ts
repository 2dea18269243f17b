/** A temp directory of Istio/Kubernetes YAML that an in-process control plane watches. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `meshform-${prefix}-`));
}

/** Writes `text` to `file` atomically (write then rename). */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes each `name → text` of `files` into `dir` (before the control plane starts). */
export function writeConfigFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}
