/**
 * Reading a plain proto3-JSON-shaped message (as `unpackResource` returns it)
 * field by field, with every problem recorded against its field path. Each
 * accessor returns a usable value (the proto default, or `undefined`) even when
 * it records an error, so one pass reports every problem of a resource.
 */
import { PlainMessage, isKnownMessageType, unpackResource } from '../../protos';

/** The problems found so far, each `path: message`. */
export class Issues {
  public readonly list: string[] = [];

  public add(path: string, message: string): void {
    this.list.push(path === '' ? message : `${path}: ${message}`);
  }

  public get empty(): boolean {
    return this.list.length === 0;
  }
}

/** Joins a field name to a path: `a.b` + `c` → `a.b.c`. */
export function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function isObject(value: unknown): value is PlainMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A short description of a value for error messages: `number 5`, `an array`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const MAX_UINT32 = 4294967295;
/** Largest duration protobuf accepts: 10,000 years. */
const MAX_DURATION_SECONDS = 315_576_000_000;
const DURATION_TEXT = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

export interface IntegerOptions {
  readonly min?: number;
  readonly max?: number;
  readonly required?: boolean;
}

export interface DurationOptions {
  /** `positive`: must be > 0; `nonNegative`: must be >= 0. @default 'nonNegative' */
  readonly sign?: 'positive' | 'nonNegative';
  readonly required?: boolean;
}

/** A nested `Any`: its type URL and, when it can be read, its fields. */
export interface TypedMessage {
  readonly typeUrl: string;
  /** The message's fields; `undefined` when packed in a type this codec does not know. */
  readonly body: Message | undefined;
  readonly path: string;
}

/** One message being read, at `path` inside the resource. */
export class Message {
  /** Reads `value` as the top-level message; records an error and returns `undefined` if it is not an object. */
  public static root(value: unknown, issues: Issues, path = ''): Message | undefined {
    if (!isObject(value)) {
      issues.add(path, `expected an object, got ${describe(value)}`);
      return undefined;
    }
    return new Message(value, path, issues);
  }

  public constructor(
    public readonly fields: PlainMessage,
    public readonly path: string,
    public readonly issues: Issues,
  ) {}

  /** Path of a field of this message. */
  public at(field: string): string {
    return join(this.path, field);
  }

  /** Records an error against a field (or against this message when `field` is omitted). */
  public error(field: string | undefined, message: string): void {
    this.issues.add(field === undefined ? this.path : this.at(field), message);
  }

  /** Whether a field is set (present and not null). */
  public has(field: string): boolean {
    const v = this.fields[field];
    return v !== undefined && v !== null;
  }

  public raw(field: string): unknown {
    return this.fields[field];
  }

  private missing(field: string, required: boolean | undefined): void {
    if (required) this.error(field, 'is required');
  }

  /** A string field; with `required`, an absent or empty string is an error. */
  public string(field: string, options: { readonly required?: boolean } = {}): string | undefined {
    const v = this.fields[field];
    if (v === undefined || v === null) {
      this.missing(field, options.required);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.error(field, `expected a string, got ${describe(v)}`);
      return undefined;
    }
    if (v === '' && options.required) {
      this.error(field, 'must not be empty');
      return undefined;
    }
    return v;
  }

  /** A bool field (or BoolValue wrapper), `fallback` when unset. */
  public bool(field: string, fallback: boolean): boolean {
    const v = this.fields[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.error(field, `expected a boolean, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  /** A non-negative integer field (uint32 by default), checked against `min`/`max`. */
  public integer(field: string, options: IntegerOptions = {}): number | undefined {
    const v = this.fields[field];
    if (v === undefined || v === null) {
      this.missing(field, options.required);
      return undefined;
    }
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.error(field, `expected an integer, got ${describe(v)}`);
      return undefined;
    }
    const min = options.min ?? 0;
    const max = options.max ?? MAX_UINT32;
    if (n < min || n > max) {
      this.error(field, `must be between ${min} and ${max} (got ${n})`);
      return undefined;
    }
    return n;
  }

  /** A number field (double), checked against `min`/`max`. */
  public number(field: string, options: IntegerOptions = {}): number | undefined {
    const v = this.fields[field];
    if (v === undefined || v === null) {
      this.missing(field, options.required);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.error(field, `expected a number, got ${describe(v)}`);
      return undefined;
    }
    if ((options.min !== undefined && v < options.min) || (options.max !== undefined && v > options.max)) {
      this.error(field, `must be between ${options.min ?? '-∞'} and ${options.max ?? '∞'} (got ${v})`);
      return undefined;
    }
    return v;
  }

  /** A `google.protobuf.Duration` field in milliseconds (`'0.5s'` → 500; `{ seconds, nanos }` also read). */
  public duration(field: string, options: DurationOptions = {}): number | undefined {
    const v = this.fields[field];
    if (v === undefined || v === null) {
      this.missing(field, options.required);
      return undefined;
    }
    let seconds: number;
    let nanos: number;
    if (typeof v === 'string') {
      const m = DURATION_TEXT.exec(v);
      if (!m) {
        this.error(field, `invalid duration ${describe(v)} (expected seconds with an 's' suffix, like '0.5s')`);
        return undefined;
      }
      const sign = m[1] ? -1 : 1;
      seconds = sign * Number(m[2]);
      nanos = sign * Number((m[3] ?? '').padEnd(9, '0'));
    } else if (isObject(v) && (v.seconds !== undefined || v.nanos !== undefined)) {
      seconds = Number(v.seconds ?? 0);
      nanos = Number(v.nanos ?? 0);
      if (!Number.isInteger(seconds) || !Number.isInteger(nanos) || Math.abs(nanos) > 999_999_999) {
        this.error(field, 'invalid duration (expected integer seconds and nanos below 1e9)');
        return undefined;
      }
    } else {
      this.error(field, `invalid duration ${describe(v)} (expected seconds with an 's' suffix, like '0.5s')`);
      return undefined;
    }
    if (Math.abs(seconds) > MAX_DURATION_SECONDS) {
      this.error(field, `duration out of range (at most ${MAX_DURATION_SECONDS}s)`);
      return undefined;
    }
    const ms = seconds * 1000 + nanos / 1e6;
    const sign = options.sign ?? 'nonNegative';
    if (ms < 0 || (sign === 'positive' && ms === 0)) {
      this.error(field, `must be ${sign === 'positive' ? 'greater than 0s' : 'at least 0s'} (got ${String(typeof v === 'string' ? v : `${seconds}s`)})`);
      return undefined;
    }
    return ms;
  }

  /**
   * An enum field by name (numbers are mapped through `names`, indexed by the
   * enum's numbers). Values outside `supported` are errors; unset gives `fallback`.
   */
  public enumOf<T extends string>(field: string, supported: readonly T[], fallback: T, names: readonly string[] = supported): T {
    const v = this.fields[field];
    if (v === undefined || v === null) return fallback;
    const name = typeof v === 'number' ? names[v] : v;
    if (typeof name !== 'string') {
      this.error(field, `unknown value ${describe(v)} (expected one of ${supported.join(', ')})`);
      return fallback;
    }
    if (!(supported as readonly string[]).includes(name)) {
      const known = names.includes(name);
      this.error(field, `${known ? 'unsupported' : 'unknown'} value '${name}' (expected one of ${supported.join(', ')})`);
      return fallback;
    }
    return name as T;
  }

  /** A nested message field. */
  public message(field: string, options: { readonly required?: boolean } = {}): Message | undefined {
    const v = this.fields[field];
    if (v === undefined || v === null) {
      this.missing(field, options.required);
      return undefined;
    }
    if (!isObject(v)) {
      this.error(field, `expected an object, got ${describe(v)}`);
      return undefined;
    }
    return new Message(v, this.at(field), this.issues);
  }

  /** A repeated message field, each element at `field[i]`. */
  public messages(field: string, options: { readonly minItems?: number } = {}): Message[] {
    const v = this.fields[field];
    const list = v === undefined || v === null ? [] : v;
    if (!Array.isArray(list)) {
      this.error(field, `expected a list, got ${describe(v)}`);
      return [];
    }
    if (options.minItems !== undefined && list.length < options.minItems) {
      this.error(field, `must hold at least ${options.minItems} item${options.minItems === 1 ? '' : 's'} (got ${list.length})`);
    }
    const out: Message[] = [];
    list.forEach((item: unknown, i: number) => {
      const path = `${this.at(field)}[${i}]`;
      if (isObject(item)) out.push(new Message(item, path, this.issues));
      else this.issues.add(path, `expected an object, got ${describe(item)}`);
    });
    return out;
  }

  /** A repeated string field. */
  public strings(field: string, options: { readonly minItems?: number; readonly nonEmpty?: boolean } = {}): string[] {
    const v = this.fields[field];
    const list = v === undefined || v === null ? [] : v;
    if (!Array.isArray(list)) {
      this.error(field, `expected a list, got ${describe(v)}`);
      return [];
    }
    if (options.minItems !== undefined && list.length < options.minItems) {
      this.error(field, `must hold at least ${options.minItems} item${options.minItems === 1 ? '' : 's'} (got ${list.length})`);
    }
    const out: string[] = [];
    list.forEach((item: unknown, i: number) => {
      const path = `${this.at(field)}[${i}]`;
      if (typeof item !== 'string') this.issues.add(path, `expected a string, got ${describe(item)}`);
      else if (item === '' && options.nonEmpty) this.issues.add(path, 'must not be empty');
      else out.push(item);
    });
    return out;
  }

  /** A map field of messages, each entry at `field[key]`. */
  public entries(field: string): [string, Message][] {
    const v = this.fields[field];
    if (v === undefined || v === null) return [];
    if (!isObject(v)) {
      this.error(field, `expected a map, got ${describe(v)}`);
      return [];
    }
    const out: [string, Message][] = [];
    for (const [key, item] of Object.entries(v)) {
      const path = `${this.at(field)}[${key}]`;
      if (isObject(item)) out.push([key, new Message(item, path, this.issues)]);
      else this.issues.add(path, `expected an object, got ${describe(item)}`);
    }
    return out;
  }

  /**
   * Which of the `oneof` fields is set. More than one is always an error; none is
   * an error when `required`: `exactly one of a, b is required`.
   */
  public oneof<T extends string>(fields: readonly T[], options: { readonly required?: boolean } = {}): T | undefined {
    const set = fields.filter((f) => this.has(f));
    if (set.length === 1) return set[0];
    if (set.length > 1) {
      this.error(undefined, `${options.required ? 'exactly' : 'at most'} one of ${fields.join(', ')} ${options.required ? 'is required' : 'is allowed'} (got ${set.join(', ')})`);
      return set[0];
    }
    if (options.required) this.error(undefined, `exactly one of ${fields.join(', ')} is required`);
    return undefined;
  }

  /** Records an error for each of `fields` that is set: meshform does not implement them. */
  public unsupported(fields: readonly string[], why = 'is not supported'): void {
    for (const f of fields) if (this.has(f)) this.error(f, why);
  }

  /**
   * A `google.protobuf.Any` field, written `{ '@type': url, ...fields }` or packed
   * `{ type_url, value }` (unpacked here when the type is known).
   */
  public any(field: string, options: { readonly required?: boolean } = {}): TypedMessage | undefined {
    const m = this.message(field, options);
    return m ? readAny(m) : undefined;
  }
}

/** Reads a message that is an `Any`. */
export function readAny(m: Message): TypedMessage | undefined {
  const typeUrl = m.fields['@type'];
  if (typeof typeUrl === 'string' && typeUrl !== '') {
    const rest: PlainMessage = { ...m.fields };
    delete rest['@type'];
    return { typeUrl, body: new Message(rest, m.path, m.issues), path: m.path };
  }
  const packedUrl = m.fields.type_url;
  if (typeof packedUrl === 'string' && packedUrl !== '') {
    const value = m.fields.value;
    const bytes = value instanceof Uint8Array ? value : typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
    if (bytes === undefined && value !== undefined && value !== null) {
      m.error('value', `expected bytes, got ${describe(value)}`);
      return undefined;
    }
    if (!isKnownMessageType(packedUrl)) return { typeUrl: packedUrl, body: undefined, path: m.path };
    try {
      return { typeUrl: packedUrl, body: new Message(unpackResource({ type_url: packedUrl, value: bytes ?? new Uint8Array(0) }), m.path, m.issues), path: m.path };
    } catch (err) {
      m.error('value', `cannot decode ${packedUrl}: ${(err as Error).message}`);
      return undefined;
    }
  }
  m.error(undefined, "expected a typed message with '@type' (or a packed { type_url, value })");
  return undefined;
}

/** The message name of a type URL (`type.googleapis.com/a.B` → `a.B`). */
export function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}
