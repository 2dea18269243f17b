/**
 * The control plane's own Prometheus metrics (the xDS server adds
 * `meshform_xds_pushes_total{type}`, `meshform_xds_nacks_total{type}` and
 * `meshform_xds_connected_streams{protocol}` to the same registry):
 *
 * - `meshform_connected_proxies`: proxies (node ids) with an open stream;
 * - `meshform_push_latency_seconds{type}`: config change → response sent to a proxy;
 * - `meshform_convergence_seconds{type}`: config change → the proxy's ACK of it;
 * - `meshform_translate_duration_seconds`: one proxy's translation;
 * - `meshform_translation_errors_total`: translations that failed (last good kept);
 * - `meshform_snapshots_published_total{scope}`: snapshots set (`full`, `eds`, `connect`);
 * - `meshform_config_errors_total`: config problems newly reported by the sources;
 * - `meshform_config_errors`: config problems currently reported;
 * - `meshform_config_changes_total`: debounced config changes handled.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { shortTypeName } from '../xds/resource-types';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ControlPlaneMetrics {
  public readonly connectedProxies: Gauge;
  public readonly pushLatency: Histogram;
  public readonly convergence: Histogram;
  public readonly translateDuration: Histogram;
  public readonly translationErrors: Counter;
  public readonly snapshotsPublished: Counter;
  public readonly configErrorsTotal: Counter;
  public readonly configErrors: Gauge;
  public readonly configChanges: Counter;

  /** @param currentConfigErrors read at each scrape for `meshform_config_errors` */
  public constructor(registry: Registry, currentConfigErrors: () => number = () => 0) {
    const registers = [registry];
    this.connectedProxies = new Gauge({ name: 'meshform_connected_proxies', help: 'Proxies (node ids) with an open ADS stream', registers });
    this.pushLatency = new Histogram({
      name: 'meshform_push_latency_seconds', help: 'Time from a config change to the response sent to a proxy, by resource type',
      labelNames: ['type'], buckets: LATENCY_BUCKETS, registers,
    });
    this.convergence = new Histogram({
      name: 'meshform_convergence_seconds', help: 'Time from a config change to the proxy acknowledging it, by resource type',
      labelNames: ['type'], buckets: LATENCY_BUCKETS, registers,
    });
    this.translateDuration = new Histogram({
      name: 'meshform_translate_duration_seconds', help: 'Time to translate the configuration for one proxy',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers,
    });
    this.translationErrors = new Counter({ name: 'meshform_translation_errors_total', help: 'Translations that failed; the proxy keeps its last good snapshot', registers });
    this.snapshotsPublished = new Counter({
      name: 'meshform_snapshots_published_total', help: 'Snapshots set in the cache, by scope (connect, full, eds)', labelNames: ['scope'], registers,
    });
    this.configErrorsTotal = new Counter({ name: 'meshform_config_errors_total', help: 'Config problems newly reported by the sources', registers });
    this.configErrors = new Gauge({
      name: 'meshform_config_errors', help: 'Config problems currently reported by the sources', registers,
      collect() { this.set(currentConfigErrors()); },
    });
    this.configChanges = new Counter({ name: 'meshform_config_changes_total', help: 'Debounced config changes handled', registers });
  }

  public observePush(typeUrl: string, seconds: number): void {
    this.pushLatency.observe({ type: shortTypeName(typeUrl) }, seconds);
  }

  public observeConvergence(typeUrl: string, seconds: number): void {
    this.convergence.observe({ type: shortTypeName(typeUrl) }, seconds);
  }
}
