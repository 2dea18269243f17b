/**
 * Building blocks shared by the Istio kind schemas: strict objects, maps that stay
 * Kubernetes-structural, durations, ports, percentages and the workload selector.
 */
import { Type, Static, TSchema, TObject, TProperties, ObjectOptions, StringOptions, TLiteral, TUnion } from '@sinclair/typebox';

/**
 * Schema keyword listing groups of fields of one object of which at most one may be set
 * (Istio's proto `oneof`s). The validator checks it; the CRD renderer strips it.
 */
export const EXCLUSIVE_KEYWORD = 'x-meshform-exclusive';

/** Options accepted by {@link Strict}: object options plus the `oneof` groups of the message. */
export interface StrictOptions extends ObjectOptions {
  /** Groups of property names of which at most one may be set. */
  readonly exclusive?: readonly (readonly string[])[];
}

/**
 * An object that rejects unknown fields, so a typo such as `rout` is reported
 * instead of silently ignored.
 */
export function Strict<T extends TProperties>(properties: T, options: StrictOptions = {}): TObject<T> {
  const { exclusive, ...rest } = options;
  const extra: Record<string, unknown> = exclusive ? { [EXCLUSIVE_KEYWORD]: exclusive } : {};
  return Type.Object(properties, { ...rest, ...extra, additionalProperties: false });
}

/** A TypeBox object whose static type is a string-keyed map. */
export interface TMap<T extends TSchema> extends TObject<{}> {
  static: Record<string, Static<T>>;
}

/**
 * A string-keyed map (`map<string, V>` in Istio's protos). Rendered as
 * `{type: object, additionalProperties: <V>}` — never `patternProperties`, which
 * Kubernetes structural schemas reject.
 */
export function MapOf<T extends TSchema>(value: T, options: ObjectOptions = {}): TMap<T> {
  return Type.Object({}, { ...options, additionalProperties: value }) as unknown as TMap<T>;
}

/** A union of string literals, i.e. an Istio enum. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnion<TLiteral<T[number]>[]> {
  const literals = values.map((v) => Type.Literal(v));
  return Type.Union(literals, options) as unknown as TUnion<TLiteral<T[number]>[]>;
}

/** Duration pattern: Go-style durations such as `3s`, `0.5s`, `100ms`, `1h30m`. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(h|m|s|ms|us|µs|ns))+$';

/** A duration string such as `"3s"`, `"0.5s"`, `"100ms"` or `"1h"`. */
export function Duration(options: StringOptions = {}) {
  return Type.String({ pattern: DURATION_PATTERN, ...options });
}

/** A TCP/UDP port number, 1..65535. */
export function PortNumber(options: { description?: string } = {}) {
  return Type.Integer({ minimum: 1, maximum: 65535, ...options });
}

/** A percentage, 0..100 (fractions allowed). */
export function Percentage(options: { description?: string } = {}) {
  return Type.Number({ minimum: 0, maximum: 100, ...options });
}

/** A list of strings. */
export function StringList(options: { description?: string; minItems?: number } = {}) {
  return Type.Array(Type.String(), options);
}

/** `map<string, string>`, e.g. labels. */
export function StringMap(options: ObjectOptions = {}) {
  return MapOf(Type.String(), options);
}

/** `exportTo`: namespaces to which a resource is visible (`.` = own namespace, `*` = all). */
export const ExportTo = StringList({
  description: 'Namespaces to which this resource is exported: "." for its own namespace, "*" for all.',
});

/** Istio's `WorkloadSelector`: selects workloads (pods, VMs) by their labels. */
export const WorkloadSelectorSchema = Strict(
  {
    /** Labels a workload must carry to be selected. */
    matchLabels: Type.Optional(StringMap({ description: 'Labels a workload must carry to be selected.' })),
  },
  { description: 'Selects the workloads this resource applies to, by labels.' },
);
/** Istio's `WorkloadSelector`. */
export type WorkloadSelector = Static<typeof WorkloadSelectorSchema>;

/**
 * The networking API's own `WorkloadSelector` (`istio.networking.v1.WorkloadSelector`),
 * used by ServiceEntry and Sidecar: labels under `labels`, not `matchLabels`.
 */
export const NetworkingWorkloadSelectorSchema = Strict(
  {
    /** Labels a workload must carry to be selected. */
    labels: StringMap({ description: 'Labels a workload must carry to be selected.' }),
  },
  { description: 'Selects the workloads this resource applies to, by labels.' },
);
/** `istio.networking.v1.WorkloadSelector` (ServiceEntry, Sidecar). */
export type NetworkingWorkloadSelector = Static<typeof NetworkingWorkloadSelectorSchema>;

/** Security API's `selector` (istio.type.v1beta1.WorkloadSelector), same shape. */
export const SelectorSchema = WorkloadSelectorSchema;
