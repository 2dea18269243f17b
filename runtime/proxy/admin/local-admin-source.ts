/** The admin source of a single-process proxy: its ADS client and data plane. */
import type { DataPlane } from '../data-plane';
import type { AdsClient } from '../xds-client';
import type { WorkloadCertificates } from '../identity';
import type { CertificateSet } from './certs';
import type { AdminSource, ServerInfo } from './admin-source';

export interface LocalAdminSourceProps {
  readonly ads: AdsClient;
  readonly dataPlane: DataPlane;
  readonly version: string;
  readonly xdsAddress: string;
  readonly adminPort: number;
  readonly concurrency?: number;
  readonly quit: () => void;
  /** True once a drain started. */
  readonly draining?: () => boolean;
  /** The workload certificate (`/certs`, `/identity`). @default none: plaintext only */
  readonly certificates?: WorkloadCertificates;
}

/** Whether the data plane serves the initial configuration. */
export function isReady(ads: AdsClient, dataPlane: DataPlane): boolean {
  return ads.ready && dataPlane.revision >= ads.snapshot.revision;
}

export function localAdminSource(p: LocalAdminSourceProps): AdminSource {
  const { ads, dataPlane } = p;
  return {
    ready: async () => isReady(ads, dataPlane) && !(p.draining?.() ?? false),
    configDump: async () => ads.configDump(),
    clusters: async () => dataPlane.renderClusters(),
    stats: async () => dataPlane.stats(),
    istioSeries: async () => dataPlane.metrics.data(),
    serverInfo: async (): Promise<ServerInfo> => serverInfo(p, isReady(ads, dataPlane) ? 'LIVE' : 'INITIALIZING', dataPlane.startedAt),
    certificates: async () => [...workloadCertificateSets(p.certificates), ...credentialCertificateSets(dataPlane)],
    quit: p.quit,
  };
}

/** The gateway credentials the data plane's listeners terminate TLS with (each once). */
export function credentialCertificateSets(dataPlane: DataPlane): CertificateSet[] {
  const seen = new Set<string>();
  const out: CertificateSet[] = [];
  for (const l of dataPlane.listeners.values()) {
    for (const c of l.credentials) {
      if (seen.has(c.certificateChainPem)) continue;
      seen.add(c.certificateChainPem);
      out.push({ certChainPem: c.certificateChainPem, rootCertPem: c.clientCaPem ?? '', workload: false });
    }
  }
  return out;
}

/** The workload certificate as a `/certs` set ([] without one). */
export function workloadCertificateSets(certificates: WorkloadCertificates | undefined): CertificateSet[] {
  if (certificates === undefined) return [];
  const m = certificates.material();
  const next = certificates.nextRenewal;
  return [{ certChainPem: m.certChainPem, rootCertPem: m.rootCertPem, ...(next !== undefined ? { nextRotation: next } : {}) }];
}

export function serverInfo(
  p: { readonly ads: AdsClient; readonly version: string; readonly xdsAddress: string; readonly adminPort: number; readonly concurrency?: number; readonly draining?: () => boolean },
  state: 'LIVE' | 'INITIALIZING',
  startedAt: number,
): ServerInfo {
  return {
    version: `meshform-proxy/${p.version}`,
    state: p.draining?.() ? 'DRAINING' : state,
    uptime_current_epoch: `${Math.floor((Date.now() - startedAt) / 1000)}s`,
    node: { id: p.ads.node.id, cluster: p.ads.node.cluster, metadata: p.ads.node.metadata },
    command_line_options: { concurrency: p.concurrency ?? 1, xds_address: p.xdsAddress, admin_port: p.adminPort },
  };
}
