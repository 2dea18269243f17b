import { ManifestObject } from '../manifest-object';
import { asArray, asRecord, asString } from './fields';

/** A `Destination` inside a VirtualService, with the path of its field. */
export interface DestinationRef {
  /** `host` as written. */
  readonly host: string;
  /** `subset`, when set. */
  readonly subset?: string;
  /** Path of the `Destination` object, e.g. `spec.http[0].route[1].destination`. */
  readonly field: string;
}

/** The route sections of a VirtualService, each a list of routes with a `route` array. */
export const ROUTE_SECTIONS = ['http', 'tcp', 'tls'] as const;

/**
 * Every destination a VirtualService sends traffic to: route destinations of its
 * HTTP, TCP and TLS routes, and HTTP mirrors (`mirror`, `mirrors[].destination`).
 */
export function destinationsOf(virtualService: ManifestObject): DestinationRef[] {
  const out: DestinationRef[] = [];
  const add = (value: unknown, field: string) => {
    const destination = asRecord(value);
    const host = asString(destination?.host);
    if (!destination || !host) return;
    const subset = asString(destination.subset);
    out.push(subset ? { host, subset, field } : { host, field });
  };
  for (const section of ROUTE_SECTIONS) {
    asArray(virtualService.spec[section]).forEach((r, i) => {
      const route = asRecord(r);
      if (!route) return;
      asArray(route.route).forEach((d, j) => add(asRecord(d)?.destination, `spec.${section}[${i}].route[${j}].destination`));
      if (section === 'http') {
        add(route.mirror, `spec.http[${i}].mirror`);
        asArray(route.mirrors).forEach((m, k) => add(asRecord(m)?.destination, `spec.http[${i}].mirrors[${k}].destination`));
      }
    });
  }
  return out;
}
