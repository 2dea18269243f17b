import type { PortTrafficPolicy, TrafficPolicy as TrafficPolicySpec } from '../../api/destination-rule';
import type { TrafficPolicyOptions } from '../traffic-policy';
import { compact, portNumber, within } from './checks';

/** Renders policy options as Istio's `TrafficPolicy`, or `undefined` when empty. */
export function renderTrafficPolicy(p: TrafficPolicyOptions | undefined): TrafficPolicySpec | undefined {
  if (!p) {
    return undefined;
  }
  const out = compact({
    loadBalancer: p.loadBalancer?._render(),
    connectionPool: p.connectionPool?._render(),
    outlierDetection: p.outlierDetection?._render(),
    tls: p.tls?._render(),
    portLevelSettings: p.portLevel && p.portLevel.length > 0
      ? p.portLevel.map((pl) => compact({
        port: { number: pl.port },
        loadBalancer: pl.loadBalancer?._render(),
        connectionPool: pl.connectionPool?._render(),
        outlierDetection: pl.outlierDetection?._render(),
        tls: pl.tls?._render(),
      }) as PortTrafficPolicy)
      : undefined,
  });
  return Object.keys(out).length === 0 ? undefined : (out as TrafficPolicySpec);
}

/** Problems with policy options, prefixed with `location`. */
export function validateTrafficPolicy(location: string, p: TrafficPolicyOptions | undefined): string[] {
  if (!p) {
    return [];
  }
  const problems = within(location, [
    ...(p.loadBalancer?._validate() ?? []),
    ...(p.connectionPool?._validate() ?? []),
    ...(p.outlierDetection?._validate() ?? []),
    ...(p.tls?._validate() ?? []),
  ]);
  const seen = new Set<number>();
  (p.portLevel ?? []).forEach((pl, i) => {
    const at = `${location}.portLevelSettings[${i}]`;
    problems.push(...within(at, [
      ...portNumber('port.number', pl.port),
      ...(pl.loadBalancer?._validate() ?? []),
      ...(pl.connectionPool?._validate() ?? []),
      ...(pl.outlierDetection?._validate() ?? []),
      ...(pl.tls?._validate() ?? []),
    ]));
    if (seen.has(pl.port)) {
      problems.push(`${at}.port.number ${pl.port} is given more than once (expected one entry per port)`);
    }
    seen.add(pl.port);
  });
  return problems;
}
