/**
 * The `resource_names` of a state-of-the-world `DiscoveryRequest`, read lazily.
 *
 * An Envoy subscribed to thousands of load assignments repeats every name in
 * each ACK. The ADS server mostly needs to know that the list did not change,
 * which comparing the names' bytes to those of the previous request answers
 * without creating a string per name. So the request decoder keeps the bytes
 * of `resource_names` (when the field's entries are contiguous, as encoders
 * write them) and decodes the strings only when they are read.
 */

/** Field 3 of `DiscoveryRequest` (`repeated string resource_names`), length-delimited. */
const RESOURCE_NAMES_TAG = (3 << 3) | 2;
const RESOURCE_NAMES_FIELD = 3;

/** Where the `resource_names` entries of an encoded request lie, if they are contiguous. */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** A request decoded with its names held as bytes. */
export interface LazyNames {
  readonly resource_names: readonly string[];
  /** The bytes of the `resource_names` entries as received (a view of the message). */
  readonly resource_names_encoded?: Buffer;
}

/**
 * Wraps `decode` (a whole-message decoder) so that `resource_names` is decoded
 * on first read and its encoded bytes are exposed as `resource_names_encoded`.
 * Messages whose names are not contiguous are decoded whole.
 */
export function withLazyResourceNames<T extends object>(decode: (bytes: Buffer) => T): (bytes: Buffer) => T & LazyNames {
  return (bytes) => {
    const span = resourceNamesSpan(bytes);
    if (!span) return decode(bytes) as T & LazyNames;
    const encoded = bytes.subarray(span.start, span.end);
    const request = decode(Buffer.concat([bytes.subarray(0, span.start), bytes.subarray(span.end)]));
    let names: readonly string[] | undefined;
    Object.defineProperty(request, 'resource_names', {
      get: () => (names ??= decodeNames(encoded)),
      enumerable: true,
      configurable: true,
    });
    Object.defineProperty(request, 'resource_names_encoded', { value: encoded, enumerable: false });
    return request as T & LazyNames;
  };
}

/** The span of the `resource_names` entries, or undefined when there are none or other fields interleave them. */
function resourceNamesSpan(bytes: Buffer): Span | undefined {
  let start = -1;
  let end = -1;
  let pos = 0;
  while (pos < bytes.length) {
    const fieldStart = pos;
    const tag = readVarint(bytes, pos);
    if (!tag) return undefined;
    pos = tag.next;
    const field = tag.value >>> 3;
    const next = skipValue(bytes, pos, tag.value & 7);
    if (next === undefined) return undefined;
    pos = next;
    if (field !== RESOURCE_NAMES_FIELD) continue;
    if (tag.value !== RESOURCE_NAMES_TAG) return undefined;
    if (start >= 0 && fieldStart !== end) return undefined;
    if (start < 0) start = fieldStart;
    end = pos;
  }
  return start >= 0 ? { start, end } : undefined;
}

/** Position after a value of `wireType` starting at `pos`; undefined for groups or a truncated message. */
function skipValue(bytes: Buffer, pos: number, wireType: number): number | undefined {
  switch (wireType) {
    case 0:
      return readVarint(bytes, pos)?.next;
    case 1:
      return pos + 8 <= bytes.length ? pos + 8 : undefined;
    case 2: {
      const length = readVarint(bytes, pos);
      return length && length.next + length.value <= bytes.length ? length.next + length.value : undefined;
    }
    case 5:
      return pos + 4 <= bytes.length ? pos + 4 : undefined;
    default:
      return undefined;
  }
}

/** The names in a span found by `resourceNamesSpan`. */
function decodeNames(encoded: Buffer): string[] {
  const names: string[] = [];
  let pos = 0;
  while (pos < encoded.length) {
    const tag = readVarint(encoded, pos);
    if (!tag || tag.value !== RESOURCE_NAMES_TAG) throw new Error('DiscoveryRequest.resource_names: malformed entry');
    const length = readVarint(encoded, tag.next);
    if (!length) throw new Error('DiscoveryRequest.resource_names: truncated entry');
    names.push(encoded.toString('utf8', length.next, length.next + length.value));
    pos = length.next + length.value;
  }
  return names;
}

/** A varint of at most 35 bits (tags and lengths), or undefined when truncated or longer. */
function readVarint(bytes: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = bytes[pos++];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return { value, next: pos };
  }
  return undefined;
}
