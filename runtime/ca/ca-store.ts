/**
 * Where a generated mesh root lives between runs: a directory holding
 * `ca-cert.pem` and `ca-key.pem` (the names of Istio's `istio-ca-secret`).
 * The directory is made 0700 and the key 0600; files are written to a
 * temporary name and renamed, so a crash never leaves half a key. Keys are
 * made at run time and stay here, never in a manifest.
 */
import * as fs from 'fs';
import * as path from 'path';

export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/** PEMs of a CA as stored. */
export interface StoredCa {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Writes `content` to `file` with `mode`, atomically (temporary file + rename). */
export function writeFileAtomic(file: string, content: string | Buffer, mode: number): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

/** Reads the CA stored in `dir`, or `undefined` when there is none; throws if only one of the two files is there. */
export function readStoredCa(dir: string): StoredCa | undefined {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  const hasCert = fs.existsSync(certFile);
  const hasKey = fs.existsSync(keyFile);
  if (!hasCert && !hasKey) return undefined;
  if (hasCert !== hasKey) {
    throw new Error(`CA directory ${dir}: expected both ${CA_CERT_FILE} and ${CA_KEY_FILE} (found only ${hasCert ? CA_CERT_FILE : CA_KEY_FILE})`);
  }
  return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
}

/** Stores a CA in `dir` (created 0700 if missing): certificate 0644, key 0600. */
export function writeStoredCa(dir: string, ca: StoredCa): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(path.join(dir, CA_KEY_FILE), ca.keyPem, 0o600);
  writeFileAtomic(path.join(dir, CA_CERT_FILE), ca.certPem, 0o644);
}

/** Whether a key file can be read by group or others (worth a warning). */
export function isKeyFileExposed(file: string): boolean {
  try {
    return (fs.statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}
