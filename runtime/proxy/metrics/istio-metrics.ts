/**
 * Istio's standard request metrics, aggregated by hand: one series object per
 * distinct label set (reporter, cluster, code, flags, peer); label text is built
 * once per series and histograms are plain arrays. A request with the same label
 * inputs as the previous one of its reporter reuses that series without a
 * lookup; otherwise one string key finds it. Recording costs a few comparisons
 * and increments; text is rendered only on scrape. Series from several workers
 * merge by label text.
 */
import type { AccessLogEntry } from '../http';
import { OutboundSecurity, workloadOfPrincipal } from './connection-security';
import { responseFlagsText } from './response-flags-text';

/** Istio's default duration buckets (ms). */
export const DURATION_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];
/** Istio's default size buckets (bytes). */
export const SIZE_BUCKETS_BYTES: readonly number[] = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

export type Reporter = 'source' | 'destination';

/** Who this proxy is, as the metrics name it. */
export interface WorkloadIdentity {
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

/** One series as plain data (what workers send to the primary). */
export interface MetricSeriesData {
  /** Rendered label text, without braces. */
  readonly labels: string;
  count: number;
  durationSum: number;
  readonly duration: number[];
  requestBytesSum: number;
  readonly requestBytes: number[];
  responseBytesSum: number;
  readonly responseBytes: number[];
}

function newSeries(labels: string): MetricSeriesData {
  return {
    labels, count: 0,
    durationSum: 0, duration: new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0),
    requestBytesSum: 0, requestBytes: new Array<number>(SIZE_BUCKETS_BYTES.length + 1).fill(0),
    responseBytesSum: 0, responseBytes: new Array<number>(SIZE_BUCKETS_BYTES.length + 1).fill(0),
  };
}

function bucket(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > (bounds[i] as number)) i++;
  return i;
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `outbound|9080|v2|reviews.default.svc.cluster.local` → its service parts. */
export function destinationOfCluster(cluster: string): { service: string; name: string; namespace: string; subset: string } | undefined {
  const parts = cluster.split('|');
  if (parts.length !== 4 || parts[0] !== 'outbound') return undefined;
  const service = parts[3] as string;
  const labels = service.split('.');
  return { service, name: labels[0] ?? service, namespace: labels[1] ?? 'unknown', subset: parts[2] as string };
}

/** What the metrics read of this proxy's mTLS. */
export interface MetricsSecurityProps {
  /** This proxy's SPIFFE ID, when it holds a workload certificate. */
  readonly principal?: string;
  /** How the named outbound cluster's connections are secured. @default plaintext */
  readonly outbound?: (cluster: string) => OutboundSecurity;
}

/**
 * The series the previous request of one reporter went to, with what chose it:
 * consecutive requests of the same route, cluster and outcome (the common case)
 * find their series by a few comparisons, with no key string built.
 */
class LastSeries {
  series: MetricSeriesData | null = null;
  cluster = '';
  code = 0;
  flags = 0;
  /** Compared only for requests without a cluster (the authority names the service). */
  authority = '';
  grpc = false;
  /** Destination side: the peer's principal; source side: the cluster's security (by identity). */
  peer: string | undefined = undefined;
  outbound: OutboundSecurity | undefined = undefined;
}

export class IstioMetrics {
  private readonly series = new Map<string, MetricSeriesData>();
  private readonly lastSource = new LastSeries();
  private readonly lastDestination = new LastSeries();

  constructor(private readonly self: WorkloadIdentity, private readonly security: MetricsSecurityProps = {}) {}

  /** Records one finished exchange seen by a listener of `reporter`'s side. */
  record(reporter: Reporter, e: AccessLogEntry): void {
    const cluster = e.upstreamCluster ?? '';
    const outbound = reporter === 'source' && cluster !== '' ? this.security.outbound?.(cluster) : undefined;
    const peerPrincipal = reporter === 'destination' ? e.head.peerPrincipal : undefined;
    const grpc = e.requestProtocol === 'grpc';
    const last = reporter === 'source' ? this.lastSource : this.lastDestination;
    let s: MetricSeriesData | null = last.series;
    if (s === null || last.cluster !== cluster || last.code !== e.responseCode || last.flags !== e.responseFlags || last.grpc !== grpc ||
      last.outbound !== outbound || last.peer !== peerPrincipal || (cluster === '' && last.authority !== e.head.authority)) {
      const peer = reporter === 'destination' ? peerPrincipal : outbound?.mutualTls === true ? `|mtls|${outbound.peerPrincipal ?? ''}` : undefined;
      const key = `${reporter}|${cluster}|${e.responseCode}|${e.responseFlags}|${cluster === '' ? e.head.authority : ''}${grpc ? '|grpc' : ''}${peer !== undefined ? `|${peer}` : ''}`;
      let found = this.series.get(key);
      if (found === undefined) {
        found = newSeries(this.labelsFor(reporter, cluster, e, outbound));
        this.series.set(key, found);
      }
      s = found;
      last.series = found;
      last.cluster = cluster;
      last.code = e.responseCode;
      last.flags = e.responseFlags;
      last.authority = e.head.authority;
      last.grpc = grpc;
      last.peer = peerPrincipal;
      last.outbound = outbound;
    }
    s.count++;
    const d = e.durationMs;
    s.durationSum += d;
    (s.duration[bucket(DURATION_BUCKETS_MS, d)] as number)++;
    s.requestBytesSum += e.bytesReceived;
    (s.requestBytes as number[])[bucket(SIZE_BUCKETS_BYTES, e.bytesReceived)]++;
    s.responseBytesSum += e.bytesSent;
    (s.responseBytes as number[])[bucket(SIZE_BUCKETS_BYTES, e.bytesSent)]++;
  }

  /** The series as data, for aggregation. */
  data(): MetricSeriesData[] {
    return [...this.series.values()];
  }

  /** Prometheus text of this registry alone. */
  render(): string {
    return renderIstioMetrics(this.data());
  }

  private labelsFor(reporter: Reporter, cluster: string, e: AccessLogEntry, outbound: OutboundSecurity | undefined): string {
    const me = this.self;
    const unknown = 'unknown';
    const own = this.security.principal;
    let sourcePrincipal = unknown;
    let destinationPrincipal = unknown;
    let policy: string;
    let src: WorkloadIdentity;
    let dst: WorkloadIdentity;
    let service: string;
    let serviceName: string;
    let serviceNamespace: string;
    if (reporter === 'source') {
      src = me;
      const parsed = destinationOfCluster(cluster);
      const authorityHost = e.head.authority.replace(/:\d+$/, '') || unknown;
      service = parsed?.service ?? (cluster === '' ? authorityHost : cluster);
      serviceName = parsed?.name ?? service;
      serviceNamespace = parsed?.namespace ?? unknown;
      dst = { workload: unknown, namespace: serviceNamespace, app: parsed?.name ?? unknown, version: parsed?.subset || unknown };
      // Sent over mTLS with this proxy's certificate: both ends are known.
      if (outbound?.mutualTls === true && own !== undefined) {
        sourcePrincipal = own;
        destinationPrincipal = outbound.peerPrincipal ?? unknown;
        policy = 'mutual_tls';
      } else {
        policy = unknown;
      }
    } else {
      // Arrived over mTLS: the peer's SPIFFE ID names its namespace and service account (no peer metadata exchange).
      const peer = e.head.peerPrincipal;
      const peerWorkload = workloadOfPrincipal(peer);
      src = { workload: peerWorkload?.serviceAccount ?? unknown, namespace: peerWorkload?.namespace ?? unknown, app: unknown, version: unknown };
      dst = me;
      if (peer !== undefined) {
        sourcePrincipal = peer;
        destinationPrincipal = own ?? unknown;
        policy = 'mutual_tls';
      } else {
        policy = 'none';
      }
      serviceName = me.app;
      serviceNamespace = me.namespace;
      service = `${me.app}.${me.namespace}.svc.cluster.local`;
    }
    const labels: [string, string][] = [
      ['reporter', reporter],
      ['source_workload', src.workload],
      ['source_workload_namespace', src.namespace],
      ['source_principal', sourcePrincipal],
      ['source_app', src.app],
      ['source_version', src.version],
      ['destination_service', service],
      ['destination_service_name', serviceName],
      ['destination_service_namespace', serviceNamespace],
      ['destination_workload', dst.workload],
      ['destination_workload_namespace', dst.namespace],
      ['destination_principal', destinationPrincipal],
      ['destination_app', dst.app],
      ['destination_version', dst.version],
      ['request_protocol', e.requestProtocol ?? 'http'],
      ['response_code', String(e.responseCode)],
      ['response_flags', responseFlagsText(e.responseFlags)],
      ['connection_security_policy', policy],
    ];
    return labels.map(([k, v]) => `${k}="${escape(v)}"`).join(',');
  }
}

/** Sums series with the same labels (from several workers). */
export function mergeSeries(lists: readonly (readonly MetricSeriesData[])[]): MetricSeriesData[] {
  const out = new Map<string, MetricSeriesData>();
  for (const list of lists) {
    for (const s of list) {
      let m = out.get(s.labels);
      if (m === undefined) {
        m = newSeries(s.labels);
        out.set(s.labels, m);
      }
      m.count += s.count;
      m.durationSum += s.durationSum;
      m.requestBytesSum += s.requestBytesSum;
      m.responseBytesSum += s.responseBytesSum;
      s.duration.forEach((v, i) => ((m as MetricSeriesData).duration[i] += v));
      s.requestBytes.forEach((v, i) => ((m as MetricSeriesData).requestBytes[i] += v));
      s.responseBytes.forEach((v, i) => ((m as MetricSeriesData).responseBytes[i] += v));
    }
  }
  return [...out.values()];
}

function histogram(out: string[], name: string, bounds: readonly number[], series: readonly MetricSeriesData[], pick: (s: MetricSeriesData) => [readonly number[], number]): void {
  out.push(`# TYPE ${name} histogram`);
  for (const s of series) {
    const [counts, sum] = pick(s);
    let cumulative = 0;
    bounds.forEach((le, i) => {
      cumulative += counts[i] as number;
      out.push(`${name}_bucket{${s.labels},le="${le}"} ${cumulative}`);
    });
    out.push(`${name}_bucket{${s.labels},le="+Inf"} ${s.count}`);
    out.push(`${name}_sum{${s.labels}} ${sum}`);
    out.push(`${name}_count{${s.labels}} ${s.count}`);
  }
}

/** Prometheus text: istio_requests_total, istio_request_duration_milliseconds, istio_request_bytes, istio_response_bytes. */
export function renderIstioMetrics(series: readonly MetricSeriesData[]): string {
  const out: string[] = ['# TYPE istio_requests_total counter'];
  for (const s of series) out.push(`istio_requests_total{${s.labels}} ${s.count}`);
  histogram(out, 'istio_request_duration_milliseconds', DURATION_BUCKETS_MS, series, (s) => [s.duration, s.durationSum]);
  histogram(out, 'istio_request_bytes', SIZE_BUCKETS_BYTES, series, (s) => [s.requestBytes, s.requestBytesSum]);
  histogram(out, 'istio_response_bytes', SIZE_BUCKETS_BYTES, series, (s) => [s.responseBytes, s.responseBytesSum]);
  return `${out.join('\n')}\n`;
}
