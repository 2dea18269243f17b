/**
 * Discovery responses (state of the world and delta) encoded by hand.
 *
 * Thousands of streams receive the same resources, already packed into
 * `Any`s by the cache. Each packed `Any` is framed once (a WeakMap keyed by the
 * `Any` object keeps its encoded entry while it lives), and a response is one
 * allocation plus copies, instead of a generic encoder walking every resource
 * for every stream. Fields are written in field-number order, as protobufjs
 * does, so the bytes are those of the generic encoder.
 *
 * Field numbers (envoy/service/discovery/v3/discovery.proto, google/protobuf/any.proto):
 * DiscoveryResponse version_info 1, resources 2, type_url 4, nonce 5,
 * control_plane 6; DeltaDiscoveryResponse system_version_info 1, resources 2,
 * type_url 4, nonce 5, removed_resources 6, control_plane 7; Resource version 1,
 * resource 2, name 3; ControlPlane identifier 1; Any type_url 1, value 2.
 */
import type { AnyMessage } from './protos';

const SOTW_FIELDS: ReadonlySet<string> = new Set(['version_info', 'resources', 'type_url', 'nonce', 'control_plane']);
const DELTA_FIELDS: ReadonlySet<string> = new Set(['system_version_info', 'resources', 'type_url', 'nonce', 'removed_resources', 'control_plane']);

/** State-of-the-world `resources` entries (field 2) by the `Any` they hold. */
const SOTW_ENTRIES = new WeakMap<AnyMessage, Buffer>();
/** Delta `resources` entries (field 2: a Resource) by the `Any` they hold, with the name and version they were made for. */
const DELTA_ENTRIES = new WeakMap<AnyMessage, { readonly name: string; readonly version: string; readonly entry: Buffer }>();

/**
 * The encoded `DiscoveryResponse`, or undefined when `value` holds anything
 * this encoder does not write (the caller then uses the generic encoder).
 */
export function encodeDiscoveryResponse(value: Readonly<Record<string, unknown>>): Buffer | undefined {
  const common = commonFields(value, SOTW_FIELDS, 'version_info');
  if (!common) return undefined;
  const parts = leadingParts(common, sotwEntry);
  if (!parts) return undefined;
  if (common.controlPlane) parts.push(common.controlPlane(6));
  return Buffer.concat(parts);
}

/** The encoded `DeltaDiscoveryResponse`, or undefined (as above). */
export function encodeDeltaDiscoveryResponse(value: Readonly<Record<string, unknown>>): Buffer | undefined {
  const common = commonFields(value, DELTA_FIELDS, 'system_version_info');
  if (!common) return undefined;
  const removed = value.removed_resources ?? [];
  if (!Array.isArray(removed) || removed.some((n) => typeof n !== 'string')) return undefined;
  const parts = leadingParts(common, deltaEntry);
  if (!parts) return undefined;
  for (const name of removed as string[]) parts.push(stringField(6, name));
  if (common.controlPlane) parts.push(common.controlPlane(7));
  return Buffer.concat(parts);
}

interface CommonFields {
  readonly version: string | undefined;
  readonly typeUrl: string | undefined;
  readonly nonce: string | undefined;
  readonly resources: readonly unknown[];
  /** The encoded `control_plane` field under its number, when set. */
  readonly controlPlane?: (field: number) => Buffer;
}

/** The fields both responses share, checked; undefined when `value` has a field outside `known` or an unexpected shape. */
function commonFields(value: Readonly<Record<string, unknown>>, known: ReadonlySet<string>, versionField: string): CommonFields | undefined {
  for (const key of Object.keys(value)) if (value[key] !== undefined && !known.has(key)) return undefined;
  const resources = value.resources ?? [];
  if (!Array.isArray(resources)) return undefined;
  const strings = [value[versionField], value.type_url, value.nonce];
  if (strings.some((s) => s !== undefined && typeof s !== 'string')) return undefined;
  const controlPlane = value.control_plane as { identifier?: unknown } | undefined;
  const identifier = controlPlane?.identifier;
  if (controlPlane !== undefined && (Object.keys(controlPlane).some((k) => k !== 'identifier') || (identifier !== undefined && typeof identifier !== 'string'))) {
    return undefined;
  }
  return {
    version: value[versionField] as string | undefined,
    typeUrl: value.type_url as string | undefined,
    nonce: value.nonce as string | undefined,
    resources,
    ...(controlPlane !== undefined ? { controlPlane: (field: number) => messageField(field, stringField(1, identifier as string | undefined)) } : {}),
  };
}

/**
 * The fields both responses write first, in field-number order: the version
 * (1), each resource entry framed by `entryOf` (2), the type URL (4) and the
 * nonce (5); undefined when a resource has a shape `entryOf` does not write.
 */
function leadingParts(common: CommonFields, entryOf: (resource: unknown) => Buffer | undefined): Buffer[] | undefined {
  const parts = [stringField(1, common.version)];
  for (const resource of common.resources) {
    const entry = entryOf(resource);
    if (!entry) return undefined;
    parts.push(entry);
  }
  parts.push(stringField(4, common.typeUrl), stringField(5, common.nonce));
  return parts;
}

function isAny(value: unknown): value is AnyMessage {
  if (typeof value !== 'object' || value === null) return false;
  const any = value as AnyMessage;
  return typeof any.type_url === 'string' && any.value instanceof Uint8Array && Object.keys(any).length === 2;
}

function anyBody(any: AnyMessage): Buffer {
  return Buffer.concat([stringField(1, any.type_url), bytesField(2, any.value)]);
}

/** The framed `resources` entry of a packed resource, encoded once per `Any`. */
function sotwEntry(resource: unknown): Buffer | undefined {
  if (typeof resource !== 'object' || resource === null) return undefined;
  const cached = SOTW_ENTRIES.get(resource as AnyMessage);
  if (cached) return cached;
  if (!isAny(resource)) return undefined;
  const entry = messageField(2, anyBody(resource));
  SOTW_ENTRIES.set(resource, entry);
  return entry;
}

/** The framed `resources` entry (a Resource: name, version, the packed resource), encoded once per `Any`. */
function deltaEntry(resource: unknown): Buffer | undefined {
  if (typeof resource !== 'object' || resource === null) return undefined;
  const { name, version, resource: any, ...rest } = resource as { name?: unknown; version?: unknown; resource?: unknown };
  if (Object.keys(rest).length > 0 || typeof name !== 'string' || typeof version !== 'string' || !isAny(any)) return undefined;
  const cached = DELTA_ENTRIES.get(any);
  if (cached && cached.name === name && cached.version === version) return cached.entry;
  const entry = messageField(2, Buffer.concat([stringField(1, version), messageField(2, anyBody(any)), stringField(3, name)]));
  DELTA_ENTRIES.set(any, { name, version, entry });
  return entry;
}

const EMPTY = Buffer.alloc(0);

/** A string field, written whenever it is set (even empty), as the generic encoder does. */
function stringField(field: number, text: string | undefined): Buffer {
  return text === undefined ? EMPTY : lengthDelimited(field, Buffer.from(text, 'utf8'));
}

function bytesField(field: number, bytes: Uint8Array): Buffer {
  return lengthDelimited(field, bytes);
}

function messageField(field: number, body: Buffer): Buffer {
  return lengthDelimited(field, body);
}

function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varintBytes((field << 3) | 2), ...varintBytes(bytes.length)]), bytes]);
}

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
