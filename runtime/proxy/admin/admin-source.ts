/**
 * What the admin endpoints read. One implementation reads one process's
 * objects ({@link localAdminSource}); the primary of a multi-worker proxy
 * implements it by asking its workers and summing.
 */
import type { MetricSeriesData, StatsMap } from '../metrics';
import type { CertificateSet } from './certs';

export interface ServerInfo {
  readonly version: string;
  readonly state: 'LIVE' | 'INITIALIZING' | 'DRAINING';
  readonly uptime_current_epoch: string;
  readonly node: { readonly id: string; readonly cluster: string; readonly metadata: Readonly<Record<string, unknown>> };
  readonly command_line_options: { readonly concurrency: number; readonly xds_address: string; readonly admin_port: number };
}

export interface AdminSource {
  /** Listeners are live after the initial xDS sync. */
  ready(): Promise<boolean>;
  configDump(): Promise<unknown>;
  /** `/clusters` text. */
  clusters(): Promise<string>;
  /** Envoy-style stats (summed over workers). */
  stats(): Promise<StatsMap>;
  /** Istio metric series (merged over workers). */
  istioSeries(): Promise<MetricSeriesData[]>;
  serverInfo(): Promise<ServerInfo>;
  /** The TLS material the proxy holds (`/certs`, `/identity`); the workload certificate first. @default none */
  certificates?(): Promise<CertificateSet[]>;
  /** Starts a graceful drain and exit (`/quitquitquit`). */
  quit(): void;
}
