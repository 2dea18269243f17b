/**
 * The environment variables the samples read. Each sample gets its environment
 * as a plain record (the process's by default), so tests can run several
 * samples with different settings in one process.
 */

export type SampleEnv = Readonly<Record<string, string | undefined>>;

/** The local sidecar's egress listener, e.g. `http://127.0.1.5:9080`; unset: call services directly. */
export const MESH_PROXY = 'MESH_PROXY';

/** Reads a whole number >= 0 from `env[name]`, or `fallback` when unset or empty. */
export function readCount(env: SampleEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number >= 0, got '${raw}'`);
  return n;
}

/** Like {@link readCount} for a duration in milliseconds, which must be > 0. */
export function readMilliseconds(env: SampleEnv, name: string, fallback: number): number {
  const n = readCount(env, name, fallback);
  if (n === 0) throw new Error(`${name}: expected milliseconds > 0, got '${env[name]}'`);
  return n;
}

/**
 * The URL of a bookinfo service as the apps name it in a cluster:
 * `http://<NAME_HOSTNAME or name>[.<SERVICES_DOMAIN>]:<NAME_SERVICE_PORT or 9080>`.
 */
export function serviceUrl(env: SampleEnv, name: string, defaultPort = 9080): string {
  const upper = name.toUpperCase();
  const host = env[`${upper}_HOSTNAME`] || name;
  const domain = env.SERVICES_DOMAIN ? `.${env.SERVICES_DOMAIN}` : '';
  const port = readCount(env, `${upper}_SERVICE_PORT`, defaultPort);
  return `http://${host}${domain}:${port}`;
}
