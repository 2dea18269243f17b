/**
 * V8 flags `meshform proxy` sets on itself before it loads its modules (the
 * command line cannot carry them: `meshform` is started as `node bin/meshform`
 * or through its shebang, and cluster workers re-run the same command).
 *
 * `--semi-space-growth-factor=1` keeps the young generation at its initial size
 * (1 MiB per semi-space) instead of letting it grow to 16 MiB while the modules
 * load and xDS is decoded: the proxy's requests allocate little and briefly, so
 * the extra young space only adds ≈ 30 MB of resident memory. (Setting
 * `--max-semi-space-size` after start has no effect; the growth factor is read
 * at every scavenge.) Measured with `bench/proxy/run.ts`: see
 * /work/brief/bench-proxy.md.
 */
import * as v8 from 'v8';

export const PROXY_V8_FLAGS: readonly string[] = ['--semi-space-growth-factor=1'];

/**
 * Applies {@link PROXY_V8_FLAGS} to this process (call before loading the
 * proxy's modules). A flag already given to node (command line or
 * NODE_OPTIONS, any value) wins, e.g. `node --semi-space-growth-factor=2 bin/meshform proxy ...`.
 */
export function applyProxyV8Flags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): void {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split('=')[0].replace(/_/g, '-'));
  for (const flag of PROXY_V8_FLAGS) {
    if (!given.includes(flag.split('=')[0])) v8.setFlagsFromString(flag);
  }
}
