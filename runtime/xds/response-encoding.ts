/**
 * State-of-the-world `DiscoveryResponse`s encoded by hand.
 *
 * Thousands of streams receive the same resources, already packed into
 * `Any`s by the cache. Each packed `Any` is framed once (a WeakMap keyed by the
 * `Any` object keeps its encoded bytes while it lives), and a response is one
 * allocation plus copies, instead of a generic encoder walking every resource
 * for every stream.
 *
 * Field numbers (envoy/service/discovery/v3/discovery.proto, google/protobuf/any.proto):
 * DiscoveryResponse version_info 1, resources 2, type_url 4, nonce 5,
 * control_plane 6 (ControlPlane.identifier 1); Any type_url 1, value 2.
 */
import type { AnyMessage } from './protos';

const KNOWN_FIELDS: ReadonlySet<string> = new Set(['version_info', 'resources', 'type_url', 'nonce', 'control_plane']);

/** `resources` entries (field 2, length-delimited) by the `Any` they hold. */
const ENTRIES = new WeakMap<AnyMessage, Buffer>();

/**
 * The encoded response, or undefined when `value` holds anything this encoder
 * does not write (the caller then uses the generic encoder).
 */
export function encodeDiscoveryResponse(value: Readonly<Record<string, unknown>>): Buffer | undefined {
  for (const key of Object.keys(value)) if (value[key] !== undefined && !KNOWN_FIELDS.has(key)) return undefined;
  const resources = value.resources ?? [];
  if (!Array.isArray(resources)) return undefined;
  const controlPlane = value.control_plane as { identifier?: unknown } | undefined;
  const identifier = controlPlane?.identifier;
  if (controlPlane !== undefined && (Object.keys(controlPlane).some((k) => k !== 'identifier') || (identifier !== undefined && typeof identifier !== 'string'))) {
    return undefined;
  }
  const strings = [value.version_info, value.type_url, value.nonce];
  if (strings.some((s) => s !== undefined && typeof s !== 'string')) return undefined;

  const entries: Buffer[] = [];
  for (const resource of resources as unknown[]) {
    const entry = resourceEntry(resource);
    if (!entry) return undefined;
    entries.push(entry);
  }
  const parts: Buffer[] = [stringField(1, value.version_info as string | undefined), ...entries];
  parts.push(stringField(4, value.type_url as string | undefined), stringField(5, value.nonce as string | undefined));
  if (controlPlane !== undefined) parts.push(messageField(6, stringField(1, identifier as string | undefined)));
  return Buffer.concat(parts);
}

/** The framed `resources` entry of a packed resource, encoded once per `Any`. */
function resourceEntry(resource: unknown): Buffer | undefined {
  if (typeof resource !== 'object' || resource === null) return undefined;
  const any = resource as AnyMessage;
  const cached = ENTRIES.get(any);
  if (cached) return cached;
  if (typeof any.type_url !== 'string' || !(any.value instanceof Uint8Array) || Object.keys(any).length !== 2) return undefined;
  const body = Buffer.concat([stringField(1, any.type_url), bytesField(2, any.value)]);
  const entry = messageField(2, body);
  ENTRIES.set(any, entry);
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
