/** Counters of the xDS server, optionally exported to a prom-client registry. */
import { Counter, Gauge, Registry } from 'prom-client';
import { shortTypeName } from '../resource-types';
import type { XdsProtocol } from './status-registry';

export interface XdsMetrics {
  pushed(typeUrl: string): void;
  nacked(typeUrl: string): void;
  streamOpened(protocol: XdsProtocol): void;
  streamClosed(protocol: XdsProtocol): void;
}

/** Metrics that go nowhere. */
export const NO_METRICS: XdsMetrics = {
  pushed: () => undefined,
  nacked: () => undefined,
  streamOpened: () => undefined,
  streamClosed: () => undefined,
};

/**
 * Registers `meshform_xds_pushes_total{type}`, `meshform_xds_nacks_total{type}`
 * and `meshform_xds_connected_streams{protocol}` on `registry`.
 */
export function prometheusXdsMetrics(registry: Registry): XdsMetrics {
  const pushes = new Counter({
    name: 'meshform_xds_pushes_total',
    help: 'xDS responses sent to proxies, by resource type',
    labelNames: ['type'],
    registers: [registry],
  });
  const nacks = new Counter({
    name: 'meshform_xds_nacks_total',
    help: 'xDS responses rejected by proxies, by resource type',
    labelNames: ['type'],
    registers: [registry],
  });
  const streams = new Gauge({
    name: 'meshform_xds_connected_streams',
    help: 'Open ADS streams, by protocol variant',
    labelNames: ['protocol'],
    registers: [registry],
  });
  return {
    pushed: (typeUrl) => pushes.inc({ type: shortTypeName(typeUrl) }),
    nacked: (typeUrl) => nacks.inc({ type: shortTypeName(typeUrl) }),
    streamOpened: (protocol) => streams.inc({ protocol }),
    streamClosed: (protocol) => streams.dec({ protocol }),
  };
}
