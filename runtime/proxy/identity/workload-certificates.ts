/**
 * The proxy's workload identity: a key made here, a CSR to the CA, the
 * certificate kept fresh (renewed at half its life by {@link CertificateRotation},
 * a new key each time), and the result offered as the SDS secrets `default`
 * and `ROOTCA` to this proxy's data plane — the local SDS istio-agent serves
 * Envoy. Listeners read the newest material for each new connection, so a
 * rotation never touches connections already open.
 */
import * as crypto from 'crypto';
import * as tls from 'tls';
import { CertificateRotation, RotationClock, WorkloadIdentity, createWorkloadCsr, spiffeId, workloadSecrets } from '../../ca';
import type { PlainMessage } from '../../xds/protos';
import { CsrCallError, requestCertificate } from './csr-client';

/** One issued certificate with its key, ready for TLS. */
export interface WorkloadMaterial {
  readonly spiffeId: string;
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  readonly rootCertPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber: string;
  /** Key, chain and root in one context: serves and originates TLS. */
  readonly secureContext: tls.SecureContext;
}

/** What TLS listeners and clusters read: the newest material. */
export interface TlsIdentitySource {
  readonly spiffeId: string;
  /** The newest material (never undefined once started). */
  material(): WorkloadMaterial;
}

export interface WorkloadCertificatesProps {
  readonly identity: WorkloadIdentity;
  /** The CA, `host:port`. */
  readonly caAddress: string;
  /** Bootstrap token proving {@link identity}. */
  readonly token: string;
  /** Requested lifetime, seconds. @default 0 (the CA's default, 24 h) */
  readonly validitySeconds?: number;
  /** @default the system clock */
  readonly clock?: RotationClock;
  /** @default none */
  readonly log?: (level: 'info' | 'warn', message: string) => void;
  /**
   * How long the first issuance keeps retrying while the CA is unreachable
   * (refusals fail at once), ms. @default 60000
   */
  readonly initialTimeoutMs?: number;
}

/** Builds the material from a CreateCertificate answer (leaf first, root last). */
export function materialOf(chain: readonly string[], privateKeyPem: string): WorkloadMaterial {
  const leafPem = chain[0] as string;
  const rootCertPem = chain[chain.length - 1] as string;
  const certChainPem = chain.slice(0, -1).map((c) => `${c.trim()}\n`).join('');
  const leaf = new crypto.X509Certificate(leafPem);
  const uri = /URI:([^,\s]+)/.exec(leaf.subjectAltName ?? '')?.[1] ?? '';
  return {
    spiffeId: uri,
    certChainPem,
    privateKeyPem,
    rootCertPem,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    serialNumber: leaf.serialNumber,
    secureContext: tls.createSecureContext({ key: privateKeyPem, cert: certChainPem, ca: rootCertPem }),
  };
}

export class WorkloadCertificates implements TlsIdentitySource {
  readonly spiffeId: string;
  private readonly rotation: CertificateRotation<WorkloadMaterial>;
  private readonly listeners = new Set<(m: WorkloadMaterial) => void>();

  constructor(private readonly props: WorkloadCertificatesProps) {
    this.spiffeId = spiffeId(props.identity);
    this.rotation = new CertificateRotation<WorkloadMaterial>({
      issue: () => this.issue(),
      onIssued: (m) => {
        props.log?.('info', `workload certificate ${m.spiffeId} serial ${m.serialNumber} valid until ${m.notAfter.toISOString()}`);
        for (const l of this.listeners) l(m);
      },
      onError: (e, attempt) => props.log?.('warn', `workload certificate renewal failed (attempt ${attempt}): ${e.message}`),
      ...(props.clock ? { clock: props.clock } : {}),
    });
  }

  private async issue(): Promise<WorkloadMaterial> {
    const csr = await createWorkloadCsr(this.props.identity);
    const chain = await requestCertificate({
      address: this.props.caAddress, token: this.props.token, csrPem: csr.csrPem,
      ...(this.props.validitySeconds !== undefined ? { validitySeconds: this.props.validitySeconds } : {}),
    });
    const material = materialOf(chain, csr.privateKeyPem);
    if (material.spiffeId !== this.spiffeId) throw new Error(`the CA issued ${material.spiffeId}, expected ${this.spiffeId}`);
    return material;
  }

  /** Obtains the first certificate; rejects when the CA refuses. */
  async start(): Promise<WorkloadMaterial> {
    const deadline = Date.now() + (this.props.initialTimeoutMs ?? 60_000);
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        return await this.rotation.start();
      } catch (e) {
        if ((e instanceof CsrCallError && e.refused) || !(e instanceof CsrCallError) || Date.now() + delay > deadline) throw e;
        this.props.log?.('warn', `workload certificate: ${e.message}; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Renews now (new key, new certificate). */
  renewNow(): Promise<WorkloadMaterial> {
    return this.rotation.renewNow();
  }

  stop(): void {
    this.rotation.stop();
  }

  get nextRenewal(): Date | undefined {
    return this.rotation.nextRenewal;
  }

  material(): WorkloadMaterial {
    const m = this.rotation.current;
    if (m === undefined) throw new Error('workload certificate: not issued yet (call start() first)');
    return m;
  }

  /** Called with every new certificate. */
  onRotated(listener: (m: WorkloadMaterial) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The local SDS view: `default` and `ROOTCA` as Envoy Secret resources (config dumps, debugging). */
  sdsSecrets(): PlainMessage[] {
    const m = this.material();
    return workloadSecrets(m);
  }
}
