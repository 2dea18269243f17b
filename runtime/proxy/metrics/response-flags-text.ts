/**
 * Response flags as text, with the flags the data plane adds beyond the HTTP
 * engine's table (NC: the route names a cluster the proxy does not know).
 */
import { formatResponseFlags } from '../http';

/** Flag bits above the engine's table, owned by the data plane. */
export const DataPlaneFlag = {
  /** No cluster found for the route's cluster name (503). */
  NC: 1 << 20,
} as const;

/** `%RESPONSE_FLAGS%`: names joined by `,`, `-` when none. */
export function responseFlagsText(bits: number): string {
  const base = formatResponseFlags(bits & ~DataPlaneFlag.NC);
  if ((bits & DataPlaneFlag.NC) === 0) return base;
  return base === '-' ? 'NC' : `${base},NC`;
}
