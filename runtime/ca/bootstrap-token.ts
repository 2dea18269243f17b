/**
 * Local-mode authentication of proxies to the CA. The launcher mints one token
 * per proxy, bound to that proxy's identity; the proxy presents it with its
 * CSR; the CA signs only for the identity the token names.
 *
 * Tokens are HMAC-SHA256 signed, not random strings kept in a map, because:
 * - the launcher and the CA need to share only a secret, not a live table, so
 *   they may run in different processes (`meshform start` forks them) and the
 *   control plane may restart without invalidating every running proxy;
 * - the token carries its identity and expiry, so verifying is a pure function
 *   of (secret, token, clock): cheap, and easy to test with an injected clock.
 * The cost is that a token cannot be revoked before it expires, short of
 * rotating the secret; tokens are short-lived for that reason.
 *
 * Form: `mfbt1.<base64url(JSON payload)>.<base64url(HMAC-SHA256)>`, the payload
 * `{ td, ns, sa, exp, jti }` with `exp` in seconds since the epoch.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Result, fail, ok } from '../xds/resources/result';
import { WorkloadIdentity, validateIdentity } from './identity';
import { Lifetime, lifetimeMs } from './duration';
import { writeFileAtomic } from './ca-store';

const PREFIX = 'mfbt1';
/** File the secret is kept in, next to the CA's files. */
export const BOOTSTRAP_SECRET_FILE = 'bootstrap-secret';

export interface BootstrapTokensProps {
  /** The HMAC key, at least 32 bytes. @default - 32 random bytes */
  readonly secret?: Buffer;
  /** Lifetime of a minted token. @default '24h' */
  readonly ttl?: Lifetime;
  /** Tokens for other trust domains are refused. @default - any trust domain */
  readonly trustDomain?: string;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

interface Payload {
  readonly td: string;
  readonly ns: string;
  readonly sa: string;
  readonly exp: number;
  readonly jti: string;
}

/** Mints and verifies bootstrap tokens with one secret. */
export class BootstrapTokens {
  /**
   * Reads the secret from `<dir>/bootstrap-secret`, creating it (0600) when
   * missing, so the launcher and the CA can each open the same directory.
   */
  static inDirectory(dir: string, props: Omit<BootstrapTokensProps, 'secret'> = {}): BootstrapTokens {
    const file = path.join(dir, BOOTSTRAP_SECRET_FILE);
    let secret: Buffer;
    if (fs.existsSync(file)) {
      secret = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    } else {
      secret = crypto.randomBytes(32);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(file, `${secret.toString('base64')}\n`, 0o600);
    }
    return new BootstrapTokens({ ...props, secret });
  }

  private readonly secret: Buffer;
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(private readonly props: BootstrapTokensProps = {}) {
    this.secret = props.secret ?? crypto.randomBytes(32);
    if (this.secret.length < 32) throw new Error(`bootstrap token secret: expected at least 32 bytes (got ${this.secret.length})`);
    this.ttlMs = lifetimeMs(props.ttl ?? '24h', 'ttl');
    this.now = props.now ?? (() => new Date());
  }

  /** A token proving `identity`, valid for `ttl` (default: the authority's). */
  mint(identity: WorkloadIdentity, options: { readonly ttl?: Lifetime } = {}): string {
    const valid = validateIdentity(identity);
    if (!valid.ok) throw new Error(`bootstrap token: ${valid.errors.join('; ')}`);
    const ttl = options.ttl !== undefined ? lifetimeMs(options.ttl, 'ttl') : this.ttlMs;
    const payload: Payload = {
      td: identity.trustDomain,
      ns: identity.namespace,
      sa: identity.serviceAccount,
      exp: Math.floor((this.now().getTime() + ttl) / 1000),
      jti: crypto.randomBytes(12).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${PREFIX}.${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The identity a token proves, or why it proves nothing. */
  verify(token: string): Result<WorkloadIdentity> {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) return fail([`bootstrap token: expected '${PREFIX}.<payload>.<mac>'`]);
    const given = Buffer.from(parts[2], 'base64url');
    const expected = this.mac(parts[1]);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return fail(['bootstrap token: signature does not verify']);
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Payload;
    } catch {
      return fail(['bootstrap token: payload is not JSON']);
    }
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= this.now().getTime()) {
      return fail([`bootstrap token: expired at ${new Date((payload.exp ?? 0) * 1000).toISOString()}`]);
    }
    const identity: WorkloadIdentity = { trustDomain: String(payload.td), namespace: String(payload.ns), serviceAccount: String(payload.sa) };
    const valid = validateIdentity(identity);
    if (!valid.ok) return fail(valid.errors.map((e) => `bootstrap token: ${e}`));
    if (this.props.trustDomain !== undefined && identity.trustDomain !== this.props.trustDomain) {
      return fail([`bootstrap token: trust domain '${identity.trustDomain}' is not '${this.props.trustDomain}'`]);
    }
    return ok(identity);
  }

  private mac(body: string): Buffer {
    return crypto.createHmac('sha256', this.secret).update(`${PREFIX}.${body}`).digest();
  }
}
