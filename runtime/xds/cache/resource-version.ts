/** Content versions: short, stable hashes of encoded resources. */
import { createHash } from 'crypto';

const VERSION_LENGTH = 16;

/** Version of one resource: a hash of its encoded bytes. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, VERSION_LENGTH);
}

/** Version of a set of resources: a hash over their sorted names and versions. */
export function hashVersions(entries: Iterable<readonly [name: string, version: string]>): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const [name, version] of sorted) hash.update(name).update('\0').update(version).update('\n');
  return hash.digest('hex').slice(0, VERSION_LENGTH);
}
