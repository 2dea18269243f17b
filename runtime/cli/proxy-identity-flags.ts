/**
 * The proxy's identity flags: `--bootstrap-token-file` (or env
 * `MESHFORM_BOOTSTRAP_TOKEN`), `--service-account`, `--trust-domain`. With a
 * token the proxy obtains a workload certificate from the CA on the xDS
 * address; without one it runs plaintext-only.
 */
import * as fs from 'fs';
import type { ProxyWorkloadIdentityOptions } from '../proxy/data-plane/proxy-runtime';
import { validateIdentity, WorkloadIdentity } from '../ca/identity';
import { UsageError } from './cli-context';

export const BOOTSTRAP_TOKEN_ENV = 'MESHFORM_BOOTSTRAP_TOKEN';

export interface IdentityFlags {
  readonly bootstrapTokenFile?: string;
  readonly serviceAccount?: string;
  readonly trustDomain?: string;
}

/** `{ workloadIdentity }` when a token is given, else `{}`; throws UsageError on unreadable files or invalid identities. */
export function proxyIdentityOptions(flags: IdentityFlags, namespace: string, env: NodeJS.ProcessEnv): { workloadIdentity?: ProxyWorkloadIdentityOptions } {
  let token: string | undefined;
  if (flags.bootstrapTokenFile !== undefined) {
    try {
      token = fs.readFileSync(flags.bootstrapTokenFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--bootstrap-token-file: cannot read ${flags.bootstrapTokenFile} (${(e as Error).message})`);
    }
  } else if (env[BOOTSTRAP_TOKEN_ENV] !== undefined && env[BOOTSTRAP_TOKEN_ENV] !== '') {
    token = String(env[BOOTSTRAP_TOKEN_ENV]).trim();
  }
  if (token === undefined) return {};
  const identity: WorkloadIdentity = { trustDomain: flags.trustDomain ?? 'cluster.local', namespace, serviceAccount: flags.serviceAccount ?? 'default' };
  const valid = validateIdentity(identity);
  if (!valid.ok) throw new UsageError(`--service-account/--trust-domain: ${valid.errors.join('; ')}`);
  return { workloadIdentity: { identity, token } };
}
