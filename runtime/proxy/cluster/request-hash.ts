/**
 * The request hash for ring hash and Maglev, from a route's hash policies
 * (Envoy semantics): each policy that finds its input contributes the
 * xxHash64 of the value, combined as `rotl(hash, 1) ^ next`; a `terminal`
 * policy that yields a value stops the list. No value from any policy means
 * no hash (the balancer then picks at random).
 */
import type { HashPolicy } from '../../xds/resources/hash-policy';
import { Hash53, HashCombiner } from './hash';

/** Where the engine finds each policy's input; undefined when absent. */
export interface HashInputs {
  /** A request header by lower-case name (several values joined as the engine sees fit). */
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  /** The downstream client's IP address. */
  sourceIp(): string | undefined;
  queryParameter(name: string): string | undefined;
  /** A filter-state value by key. @default none */
  filterState?(key: string): string | undefined;
}

const shared = new HashCombiner();

export function computeRequestHash(policies: readonly HashPolicy[], inputs: HashInputs): Hash53 | undefined {
  if (policies.length === 0) return undefined;
  const combiner = shared.reset();
  for (const p of policies) {
    let value: string | undefined;
    switch (p.kind) {
      case 'header': value = inputs.header(p.headerName); break;
      case 'cookie': value = inputs.cookie(p.name); break;
      case 'sourceIp': value = inputs.sourceIp(); break;
      case 'queryParameter': value = inputs.queryParameter(p.name); break;
      case 'filterState': value = inputs.filterState?.(p.key); break;
    }
    if (value === undefined) continue;
    combiner.add(value);
    if (p.terminal) break;
  }
  return combiner.result();
}
