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

/**
 * Reads varints from a buffer without allocating: `at` is where reading
 * continues, `NaN` after a truncated or over-long varint.
 */
class VarintCursor {
  public at = 0;

  public constructor(private readonly bytes: Buffer) {}

  /** A varint of at most 35 bits (tags and lengths), or NaN. */
  public varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.bytes[this.at++];
      if (byte === undefined) return NaN;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return NaN;
  }

  /** Skips a value of `wireType`; false for groups or a truncated message. */
  public skip(wireType: number): boolean {
    const size = this.bytes.length;
    switch (wireType) {
      case 0:
        return !Number.isNaN(this.varint());
      case 1:
        this.at += 8;
        return this.at <= size;
      case 2: {
        const length = this.varint();
        this.at += length;
        return !Number.isNaN(length) && this.at <= size;
      }
      case 5:
        this.at += 4;
        return this.at <= size;
      default:
        return false;
    }
  }
}

/** The span of the `resource_names` entries, or undefined when there are none or other fields interleave them. */
function resourceNamesSpan(bytes: Buffer): Span | undefined {
  const cursor = new VarintCursor(bytes);
  let start = -1;
  let end = -1;
  while (cursor.at < bytes.length) {
    const fieldStart = cursor.at;
    const tag = cursor.varint();
    if (Number.isNaN(tag) || !cursor.skip(tag & 7)) return undefined;
    if (tag >>> 3 !== RESOURCE_NAMES_FIELD) continue;
    if (tag !== RESOURCE_NAMES_TAG || (start >= 0 && fieldStart !== end)) return undefined;
    if (start < 0) start = fieldStart;
    end = cursor.at;
  }
  return start >= 0 ? { start, end } : undefined;
}

/** The names in a span found by `resourceNamesSpan`. */
function decodeNames(encoded: Buffer): string[] {
  const names: string[] = [];
  const cursor = new VarintCursor(encoded);
  while (cursor.at < encoded.length) {
    if (cursor.varint() !== RESOURCE_NAMES_TAG) throw new Error('DiscoveryRequest.resource_names: malformed entry');
    const length = cursor.varint();
    const from = cursor.at;
    cursor.at += length;
    if (Number.isNaN(length) || cursor.at > encoded.length) throw new Error('DiscoveryRequest.resource_names: truncated entry');
    names.push(encoded.toString('utf8', from, cursor.at));
  }
  return names;
}
