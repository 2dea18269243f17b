/**
 * Which local program runs a workload: the workload's `app` label names one of
 * the sample services that ship with meshform (`meshform sample <name>`).
 * Workloads of other apps are reported and skipped; fortio (the load client of
 * the circuit-breaker walkthrough) has no local program: load comes from your
 * own client through the ingress gateway or the proxies' egress listeners.
 */
import { findSample } from '../samples';
import type { LocalWorkload } from './topology';

/**
 * The port the samples call other services on: they name them
 * `http://<service>:9080` (`serviceUrl`'s default), so the app's `MESH_PROXY`
 * is its sidecar's egress listener on that port.
 */
export const SAMPLE_OUTBOUND_PORT = 9080;

export interface LocalProgram {
  /** The `meshform sample` name. */
  readonly sample: string;
  readonly version: string;
}

export type ProgramChoice =
  | { readonly ok: true; readonly program: LocalProgram }
  | { readonly ok: false; readonly reason: string };

/** The program for `workload`, or why there is none. */
export function programFor(workload: LocalWorkload): ProgramChoice {
  const label = `Deployment ${workload.namespace}/${workload.deployment} (app=${workload.app})`;
  if (workload.app === 'fortio') {
    return { ok: false, reason: `${label}: fortio is a load client with no local program; skipped (send load through the ingress URL)` };
  }
  const sample = findSample(workload.app);
  if (!sample) return { ok: false, reason: `${label}: no local program for app '${workload.app}'; skipped` };
  if (!sample.versions.includes(workload.version)) {
    return { ok: false, reason: `${label}: the local ${workload.app} has versions ${sample.versions.join(', ')}, not '${workload.version}'; skipped` };
  }
  return { ok: true, program: { sample: sample.name, version: workload.version } };
}
