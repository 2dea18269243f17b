/** Envoy's percentage messages as fractions in [0, 1]. */
import type { Message } from './reader';

const DENOMINATORS = ['HUNDRED', 'TEN_THOUSAND', 'MILLION'] as const;
const SCALE: Readonly<Record<(typeof DENOMINATORS)[number], number>> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** `type.v3.FractionalPercent` → a fraction; Envoy caps numerators above the denominator at 100%. */
export function fractionalPercent(m: Message): number {
  const numerator = m.integer('numerator') ?? 0;
  const denominator = m.enumOf('denominator', DENOMINATORS, 'HUNDRED');
  return Math.min(numerator / SCALE[denominator], 1);
}

/** `type.v3.Percent` (`{ value: 0..100 }`) → a fraction. */
export function percent(m: Message): number {
  return (m.number('value', { min: 0, max: 100 }) ?? 0) / 100;
}

/** `core.v3.RuntimeFractionalPercent`: the default value (runtime keys are not read). */
export function runtimeFractionalPercent(m: Message): number {
  const def = m.message('default_value', { required: true });
  return def ? fractionalPercent(def) : 0;
}
