/**
 * Starting the CA with the control plane: the signing CA (`--ca-dir` keeps a
 * generated root between runs), the bootstrap-token secret shared with the
 * launcher (`--bootstrap-secret-file`), and the CreateCertificate service.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type * as grpc from '@grpc/grpc-js';
import { BOOTSTRAP_SECRET_FILE, BootstrapTokens, DEFAULT_TRUST_DOMAIN, Lifetime, MeshCa, UserCaPems, WorkloadIdentity, writeFileAtomic } from '../ca';
import { bootstrapTokenAuthenticator, caService, CsrAuthenticator } from './ca-service';
import type { ControlPlaneLogger } from './logger';

export interface CaOptions {
  /** Where the generated root is kept (0700, key 0600). @default - in memory only */
  readonly dir?: string;
  /** @default 'cluster.local' */
  readonly trustDomain?: string;
  /**
   * File holding the bootstrap-token HMAC secret (base64), created 0600 when
   * missing. @default `<dir>/bootstrap-secret`, else a random in-memory secret
   */
  readonly bootstrapSecretFile?: string;
  /** Workload certificate lifetime. @default '24h' */
  readonly workloadCertTtl?: Lifetime;
  /**
   * Sign with a user-provided CA in Istio's plug-in layout (the `cacerts`
   * files: ca-cert.pem, ca-key.pem, optional cert-chain.pem and root-cert.pem).
   * @default - the root kept in `dir`, else a generated one
   */
  readonly pluginCaDir?: string;
  /** A CA already started (tests). @default - started from the options above */
  readonly ca?: MeshCa;
  /** Replaces bootstrap-token authentication (e.g. cluster mode's TokenReview). @default bootstrap tokens */
  readonly authenticator?: CsrAuthenticator;
}

export interface RunningCa {
  readonly ca: MeshCa;
  readonly trustDomain: string;
  /** Mints and verifies bootstrap tokens (the launcher uses the same secret). */
  readonly tokens: BootstrapTokens;
  readonly service: { readonly definition: grpc.ServiceDefinition; readonly implementation: grpc.UntypedServiceImplementation };
}

/** Reads a bootstrap secret file, creating it (32 random bytes, base64, 0600) when missing. */
export function readOrCreateBootstrapSecret(file: string): Buffer {
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  const secret = crypto.randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, `${secret.toString('base64')}\n`, 0o600);
  return secret;
}

/** Reads Istio's plug-in CA files from `dir` (cert-chain.pem and root-cert.pem when present). */
export function readPluginCa(dir: string): UserCaPems {
  const optional = (name: string): string | undefined => (fs.existsSync(path.join(dir, name)) ? path.join(dir, name) : undefined);
  const chainFile = optional('cert-chain.pem');
  const rootCertFile = optional('root-cert.pem');
  return MeshCa.readUserCaFiles({
    certFile: path.join(dir, 'ca-cert.pem'), keyFile: path.join(dir, 'ca-key.pem'),
    ...(chainFile !== undefined ? { chainFile } : {}),
    ...(rootCertFile !== undefined ? { rootCertFile } : {}),
  });
}

export async function startCaService(options: CaOptions, logger: ControlPlaneLogger): Promise<RunningCa> {
  const trustDomain = options.trustDomain ?? options.ca?.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const ca = options.ca ?? await MeshCa.start({
    trustDomain, logger,
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.workloadCertTtl !== undefined ? { defaultTtl: options.workloadCertTtl } : {}),
    ...(options.pluginCaDir !== undefined ? { userCa: readPluginCa(options.pluginCaDir) } : {}),
  });
  const secretFile = options.bootstrapSecretFile ?? (options.dir !== undefined ? path.join(options.dir, BOOTSTRAP_SECRET_FILE) : undefined);
  const tokens = new BootstrapTokens({ trustDomain, ...(secretFile !== undefined ? { secret: readOrCreateBootstrapSecret(secretFile) } : {}) });
  const authenticator = options.authenticator ?? bootstrapTokenAuthenticator(tokens);
  return { ca, trustDomain, tokens, service: caService({ ca, authenticator, logger }) };
}

/**
 * What a launcher (`meshform up`) adds to one proxy's command so it can prove
 * `identity` to a control plane started with `--ca-dir caDir`: the bootstrap
 * token in the environment (never on the command line), and the identity flags.
 */
export function launcherProxyIdentity(caDir: string, identity: WorkloadIdentity): { readonly args: string[]; readonly env: Record<string, string> } {
  const tokens = new BootstrapTokens({ secret: readOrCreateBootstrapSecret(path.join(caDir, BOOTSTRAP_SECRET_FILE)), trustDomain: identity.trustDomain });
  return {
    args: ['--service-account', identity.serviceAccount, '--trust-domain', identity.trustDomain],
    env: { MESHFORM_BOOTSTRAP_TOKEN: tokens.mint(identity) },
  };
}
