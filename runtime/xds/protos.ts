/**
 * Envoy's v3 protos, loaded once and lazily from the copies shipped inside
 * `@grpc/grpc-js-xds` (its `deps/` folder holds envoy-api, xds + udpa,
 * googleapis and protoc-gen-validate).
 *
 * One protobufjs root holds the resource and filter messages and the ADS
 * service; it serves two uses:
 * - the ADS gRPC service definition (what `@grpc/grpc-js` servers and clients
 *   need), built as `@grpc/proto-loader` would build it;
 * - packing plain objects into `google.protobuf.Any` and back
 *   (`packResource` / `unpackResource`).
 * Once loaded, the root's strings are copied out of the `.proto` source texts
 * (V8 keeps a whole source alive for any substring sliced from it), so the
 * ≈ 1 MB of sources can be collected.
 *
 * Plain objects use the proto field names (snake_case, as in Envoy's YAML):
 * `{ name: 'x', address: { socket_address: { address: '0.0.0.0', port_value: 80 } } }`.
 * A nested `Any` (such as a filter's `typed_config`) is written as
 * `{ '@type': 'type.googleapis.com/<message>', ...fields }`, or already packed as
 * `{ type_url, value }`. Well-known types follow the proto3 JSON mapping, as
 * Envoy's YAML does: wrappers are bare values (`load_balancing_weight: 1`),
 * durations strings (`timeout: '0.5s'`), Struct and Value plain JSON. Enums are
 * their names, 64-bit integers numbers. Unpacking returns this same form.
 */
import * as path from 'path';
import * as fs from 'fs';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { withLazyResourceNames } from './request-names';
import { encodeDeltaDiscoveryResponse, encodeDiscoveryResponse } from './response-encoding';

/** A `google.protobuf.Any` as carried in discovery responses. */
export interface AnyMessage {
  readonly type_url: string;
  readonly value: Buffer;
}

/** An Envoy resource or message as a plain object with proto field names. */
export type PlainMessage = Record<string, unknown>;

/** `envoy.config.core.v3.Node`, the fields the control plane reads. */
export interface NodeMessage {
  readonly id: string;
  readonly cluster: string;
  readonly metadata?: StructMessage | null;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly sub_zone?: string } | null;
  readonly user_agent_name?: string;
}

/** `google.protobuf.Struct` as decoded from the wire. */
export interface StructMessage {
  readonly fields?: Readonly<Record<string, ValueMessage>>;
}

/**
 * `google.protobuf.Value` as decoded from the wire (one of its kinds is set).
 * protobufjs brings its own struct.proto whose field names are camelCase, even
 * with `keepCase`.
 */
export interface ValueMessage {
  readonly nullValue?: string | number;
  readonly numberValue?: number;
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly structValue?: StructMessage;
  readonly listValue?: { readonly values?: readonly ValueMessage[] };
}

/** `google.rpc.Status` as sent by a client in `error_detail` of a NACK. */
export interface StatusMessage {
  readonly code: number;
  readonly message: string;
}

/** `envoy.service.discovery.v3.DiscoveryRequest` (state of the world). */
export interface DiscoveryRequest {
  readonly version_info: string;
  readonly node?: NodeMessage | null;
  readonly resource_names: readonly string[];
  /** Received requests: the bytes of `resource_names`, when its entries are contiguous (see request-names.ts). */
  readonly resource_names_encoded?: Buffer;
  readonly type_url: string;
  readonly response_nonce: string;
  readonly error_detail?: StatusMessage | null;
}

/** `envoy.service.discovery.v3.DiscoveryResponse` (state of the world). */
export interface DiscoveryResponse {
  readonly version_info: string;
  readonly resources: readonly AnyMessage[];
  readonly type_url: string;
  readonly nonce: string;
  readonly control_plane?: { readonly identifier: string };
}

/** `envoy.service.discovery.v3.DeltaDiscoveryRequest`. */
export interface DeltaDiscoveryRequest {
  readonly node?: NodeMessage | null;
  readonly type_url: string;
  readonly resource_names_subscribe: readonly string[];
  readonly resource_names_unsubscribe: readonly string[];
  readonly initial_resource_versions: Readonly<Record<string, string>>;
  readonly response_nonce: string;
  readonly error_detail?: StatusMessage | null;
}

/** `envoy.service.discovery.v3.Resource`, one entry of a delta response. */
export interface DeltaResource {
  readonly name: string;
  readonly version: string;
  readonly resource: AnyMessage;
}

/** `envoy.service.discovery.v3.DeltaDiscoveryResponse`. */
export interface DeltaDiscoveryResponse {
  readonly system_version_info: string;
  readonly resources: readonly DeltaResource[];
  readonly type_url: string;
  readonly removed_resources: readonly string[];
  readonly nonce: string;
  readonly control_plane?: { readonly identifier: string };
}

/** Fully qualified name of the ADS service. */
export const ADS_SERVICE_NAME = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** Proto files whose messages can be packed and unpacked. */
export const RESOURCE_PROTO_FILES: readonly string[] = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
];

const ADS_PROTO_FILE = 'envoy/service/discovery/v3/ads.proto';

/**
 * How ADS messages decode: snake_case names (the root keeps case), 64-bit
 * integers and enums as strings, defaults filled in, so requests read uniformly
 * (`@grpc/proto-loader`'s `longs: String, enums: String, defaults: true, oneofs: false`).
 */
const ADS_DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: false,
};

/** The folders of `@grpc/grpc-js-xds/deps` that hold the proto sources, in lookup order. */
export function protoIncludeDirs(): string[] {
  const depsDir = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(depsDir, d));
}

let adsDefinition: grpc.ServiceDefinition | undefined;
let resourceRoot: protobuf.Root | undefined;

/** The ADS gRPC service definition (`StreamAggregatedResources`, `DeltaAggregatedResources`). */
export function adsServiceDefinition(): grpc.ServiceDefinition {
  if (!adsDefinition) {
    const service = resourceProtoRoot().lookupService(ADS_SERVICE_NAME);
    const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
    for (const method of service.methodsArray) {
      method.resolve();
      const request = method.resolvedRequestType as protobuf.Type;
      const response = method.resolvedResponseType as protobuf.Type;
      definition[method.name] = {
        path: `/${ADS_SERVICE_NAME}/${method.name}`,
        requestStream: method.requestStream === true,
        responseStream: method.responseStream === true,
        requestSerialize: serializerOf(request),
        requestDeserialize: request.name === 'DiscoveryRequest' ? withLazyResourceNames(deserializerOf(request)) : deserializerOf(request),
        responseSerialize: handEncoded(response.name, serializerOf(response)),
        responseDeserialize: deserializerOf(response),
        originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
      };
    }
    adsDefinition = definition;
  }
  return adsDefinition;
}

function serializerOf(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value)) throw new Error(`Failed to serialize message: expected object with ${type.name} structure, got array instead`);
    const bytes = type.encode(type.fromObject(value)).finish();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

const HAND_ENCODERS: Readonly<Record<string, (value: Readonly<Record<string, unknown>>) => Buffer | undefined>> = {
  DiscoveryResponse: encodeDiscoveryResponse,
  DeltaDiscoveryResponse: encodeDeltaDiscoveryResponse,
};

/** Discovery responses encoded by hand (see response-encoding.ts), with `generic` for anything else. */
function handEncoded(message: string, generic: (value: object) => Buffer): (value: object) => Buffer {
  const encode = HAND_ENCODERS[message];
  if (!encode) return generic;
  return (value) => encode(value as Readonly<Record<string, unknown>>) ?? generic(value);
}

function deserializerOf(type: protobuf.Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), ADS_DECODE_OPTIONS);
}

/** The protobufjs root holding every message of {@link RESOURCE_PROTO_FILES} and the ADS service, loaded on first use. */
export function resourceProtoRoot(): protobuf.Root {
  if (!resourceRoot) {
    registerDescriptorProto();
    const dirs = protoIncludeDirs();
    const root = new protobuf.Root();
    root.resolvePath = (_origin: string, target: string): string => {
      if (path.isAbsolute(target)) return target;
      for (const dir of dirs) {
        const candidate = path.join(dir, target);
        if (fs.existsSync(candidate)) return candidate;
      }
      return target;
    };
    root.loadSync([...RESOURCE_PROTO_FILES, ADS_PROTO_FILE], { keepCase: true });
    root.resolveAll();
    detachFromSources(root);
    resourceRoot = root;
  }
  return resourceRoot;
}

/**
 * Makes `google/protobuf/descriptor.proto` (imported by Envoy's annotation
 * protos, and not in `@grpc/grpc-js-xds/deps`) resolve to the copy protobufjs
 * ships, as `@grpc/proto-loader` does.
 */
function registerDescriptorProto(): void {
  const json = require('protobufjs/google/protobuf/descriptor.json') as { nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } } };
  const nested = json.nested.google.nested.protobuf.nested;
  if (nested !== undefined) protobuf.common('descriptor', nested);
}

/**
 * Replaces every string reachable from the root's reflection objects (names,
 * type references, options, file names) with a copy. The parser cut them out
 * of the `.proto` texts, and V8 represents a substring of 13 or more characters
 * as a slice that keeps its whole parent alive: without this, every source file
 * (route.proto alone is 248 kB) would stay in the heap for the process's life.
 * Equal strings share one copy. ≈ 15 ms for the Envoy protos.
 */
function detachFromSources(root: protobuf.Root): void {
  const seen = new Set<object>();
  const copies = new Map<string, string>();
  const copy = (text: string): string => {
    let c = copies.get(text);
    if (c === undefined) {
      c = Buffer.from(text, 'utf8').toString('utf8');
      copies.set(text, c);
    }
    return c;
  };
  const stack: object[] = [root];
  while (stack.length > 0) {
    const o = stack.pop() as Record<string, unknown>;
    if (seen.has(o) || ArrayBuffer.isView(o)) continue;
    seen.add(o);
    for (const key of Object.keys(o)) {
      const value = o[key];
      if (typeof value === 'string') {
        if (value.length >= 13) o[key] = copy(value);
      } else if (typeof value === 'object' && value !== null) {
        stack.push(value);
      }
    }
  }
}

/** The message name in a type URL: `type.googleapis.com/a.b.C` → `a.b.C`. */
export function messageNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

function lookupMessage(typeUrl: string): protobuf.Type | undefined {
  const name = messageNameOf(typeUrl);
  if (name === '') return undefined;
  try {
    return resourceProtoRoot().lookupType(name);
  } catch {
    return undefined;
  }
}

/** Whether messages of `typeUrl` can be packed and unpacked. */
export function isKnownMessageType(typeUrl: string): boolean {
  return lookupMessage(typeUrl) !== undefined;
}

/**
 * Encodes a plain object as the message named by `typeUrl` and wraps it in an Any.
 * Unknown fields and unknown nested `@type`s are errors (protobufjs would drop them
 * silently); the message names each offending field path.
 */
export function packResource(typeUrl: string, resource: PlainMessage): AnyMessage {
  const type = lookupMessage(typeUrl);
  if (!type) {
    throw new Error(`packResource: unknown type URL '${typeUrl}' (expected a message of the loaded Envoy protos)`);
  }
  const errors: string[] = [];
  const wire = toWireMessage(type, resource, '', errors);
  if (errors.length > 0) {
    throw new Error(`packResource(${messageNameOf(typeUrl)}): ${errors.join('; ')}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = type.encode(type.fromObject(wire)).finish();
  } catch (err) {
    throw new Error(`packResource(${messageNameOf(typeUrl)}): ${(err as Error).message}`);
  }
  return { type_url: typeUrl, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** Decodes an Any into a plain object, in the same form `packResource` accepts. */
export function unpackResource(any: { readonly type_url: string; readonly value: Uint8Array }): PlainMessage {
  const type = lookupMessage(any.type_url);
  if (!type) {
    throw new Error(`unpackResource: unknown type URL '${any.type_url}'`);
  }
  const decoded = type.toObject(type.decode(any.value), { longs: Number, enums: String, json: true });
  return fromWireMessage(type, decoded);
}

// --- the plain form <-> protobufjs object form -------------------------------
//
// The plain form follows the proto3 JSON mapping for the well-known types, as
// Envoy's YAML does: wrappers are bare values (`load_balancing_weight: 1`),
// durations are strings (`timeout: '0.5s'`), Struct/Value are plain JSON.

const ANY = '.google.protobuf.Any';
const DURATION = '.google.protobuf.Duration';
const STRUCT = '.google.protobuf.Struct';
const VALUE = '.google.protobuf.Value';
const LIST_VALUE = '.google.protobuf.ListValue';
const WRAPPER_DEFAULTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['.google.protobuf.DoubleValue', 0],
  ['.google.protobuf.FloatValue', 0],
  ['.google.protobuf.Int64Value', 0],
  ['.google.protobuf.UInt64Value', 0],
  ['.google.protobuf.Int32Value', 0],
  ['.google.protobuf.UInt32Value', 0],
  ['.google.protobuf.BoolValue', false],
  ['.google.protobuf.StringValue', ''],
  ['.google.protobuf.BytesValue', Buffer.alloc(0)],
]);

function isPlainObject(value: unknown): value is PlainMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Applies `convert` to a field value, element-wise for repeated and map fields. */
function mapField(field: protobuf.Field, value: unknown, at: string, convert: (v: unknown, at: string) => unknown): unknown {
  if (field.map && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = convert(v, `${at}[${k}]`);
    return out;
  }
  if (field.repeated && Array.isArray(value)) return value.map((v, i) => convert(v, `${at}[${i}]`));
  return convert(value, at);
}

/** Plain form → protobufjs object form, collecting unknown fields and types. */
function toWireMessage(type: protobuf.Type, value: PlainMessage, at: string, errors: string[]): PlainMessage {
  if (type.fullName === ANY) {
    const typeUrl = value['@type'];
    if (typeUrl === undefined) return value; // already packed: { type_url, value }
    const inner = typeof typeUrl === 'string' ? lookupMessage(typeUrl) : undefined;
    if (!inner) {
      errors.push(`${join(at, '@type')}: unknown type URL '${String(typeUrl)}'`);
      return value;
    }
    const rest: PlainMessage = { ...value };
    delete rest['@type'];
    return { '@type': typeUrl, ...toWireMessage(inner, rest, at, errors) };
  }
  const out: PlainMessage = {};
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field) {
      errors.push(`${join(at, key)}: unknown field of ${type.name}`);
      continue;
    }
    if (fieldValue === undefined || fieldValue === null) continue;
    const fieldType = field.resolve().resolvedType;
    out[key] =
      fieldType instanceof protobuf.Type
        ? mapField(field, fieldValue, join(at, key), (v, p) => toWireValue(fieldType, v, p, errors))
        : fieldValue;
  }
  return out;
}

function toWireValue(type: protobuf.Type, value: unknown, at: string, errors: string[]): unknown {
  const name = type.fullName;
  if (WRAPPER_DEFAULTS.has(name)) return isPlainObject(value) ? value : { value };
  if (name === DURATION && typeof value === 'string') {
    const parsed = parseDuration(value);
    if (!parsed) errors.push(`${at}: invalid duration '${value}' (expected a number of seconds with an 's' suffix, like '0.5s')`);
    return parsed ?? {};
  }
  if (name === STRUCT && isPlainObject(value)) return jsonToStruct(value);
  if (name === VALUE) return jsonToValue(value);
  if (name === LIST_VALUE && Array.isArray(value)) return { values: value.map(jsonToValue) };
  return isPlainObject(value) ? toWireMessage(type, value, at, errors) : value;
}

/** protobufjs object form → plain form. */
function fromWireMessage(type: protobuf.Type, value: PlainMessage): PlainMessage {
  if (type.fullName === ANY) {
    const typeUrl = value['@type'];
    const inner = typeof typeUrl === 'string' ? lookupMessage(typeUrl) : undefined;
    if (!inner) return value;
    const rest: PlainMessage = { ...value };
    delete rest['@type'];
    return { '@type': typeUrl, ...fromWireMessage(inner, rest) };
  }
  const out: PlainMessage = {};
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = type.fields[key];
    const fieldType = field?.resolve().resolvedType;
    out[key] =
      field && fieldType instanceof protobuf.Type
        ? mapField(field, fieldValue, key, (v) => fromWireValue(fieldType, v))
        : fieldValue;
  }
  return out;
}

function fromWireValue(type: protobuf.Type, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const name = type.fullName;
  if (WRAPPER_DEFAULTS.has(name)) return value.value ?? WRAPPER_DEFAULTS.get(name);
  if (name === DURATION) return formatDuration(Number(value.seconds ?? 0), Number(value.nanos ?? 0));
  if (name === STRUCT) return structToJson(value as StructMessage);
  if (name === VALUE) return valueToJson(value as ValueMessage);
  if (name === LIST_VALUE) return ((value.values as ValueMessage[] | undefined) ?? []).map(valueToJson);
  return fromWireMessage(type, value);
}

const DURATION_PATTERN = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function parseDuration(text: string): { seconds: number; nanos: number } | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const sign = match[1] ? -1 : 1;
  const seconds = Number(match[2]) * sign;
  const nanos = Number((match[3] ?? '').padEnd(9, '0')) * sign;
  return { seconds: seconds === 0 ? 0 : seconds, nanos: nanos === 0 ? 0 : nanos };
}

function formatDuration(seconds: number, nanos: number): string {
  const negative = seconds < 0 || nanos < 0;
  const whole = Math.abs(seconds);
  const fraction = Math.abs(nanos);
  const fractionText = fraction === 0 ? '' : `.${String(fraction).padStart(9, '0').replace(/0+$/, '')}`;
  return `${negative ? '-' : ''}${whole}${fractionText}s`;
}

function jsonToStruct(json: PlainMessage): { fields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) fields[k] = jsonToValue(v);
  return { fields };
}

/**
 * Field names of `google.protobuf.Value` in the loaded root: protobufjs brings its
 * own copy of struct.proto with camelCase names (`stringValue`), whatever `keepCase` says.
 */
function valueFieldNames(): readonly string[] {
  const type = resourceProtoRoot().lookupType(VALUE.slice(1));
  return [1, 2, 3, 4, 5, 6].map((id) => type.fieldsById[id].name);
}

function jsonToValue(json: unknown): PlainMessage {
  const [nullValue, numberValue, stringValue, boolValue, structValue, listValue] = valueFieldNames();
  if (json === null || json === undefined) return { [nullValue]: 'NULL_VALUE' };
  if (typeof json === 'number') return { [numberValue]: json };
  if (typeof json === 'string') return { [stringValue]: json };
  if (typeof json === 'boolean') return { [boolValue]: json };
  if (Array.isArray(json)) return { [listValue]: { values: json.map(jsonToValue) } };
  return { [structValue]: jsonToStruct(json as PlainMessage) };
}

/** Converts a decoded `google.protobuf.Struct` (such as node metadata) to plain JSON. */
export function structToJson(struct: StructMessage | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: ValueMessage): unknown {
  // Also accept snake_case names, for objects built by hand from the proto text.
  const v = value as ValueMessage & {
    readonly struct_value?: StructMessage;
    readonly list_value?: { readonly values?: readonly ValueMessage[] };
    readonly string_value?: string;
    readonly number_value?: number;
    readonly bool_value?: boolean;
  };
  const struct = v.structValue ?? v.struct_value;
  if (struct) return structToJson(struct);
  const list = v.listValue ?? v.list_value;
  if (list) return (list.values ?? []).map(valueToJson);
  const text = v.stringValue ?? v.string_value;
  if (text !== undefined && text !== null) return text;
  const num = v.numberValue ?? v.number_value;
  if (num !== undefined && num !== null) return num;
  const bool = v.boolValue ?? v.bool_value;
  if (bool !== undefined && bool !== null) return bool;
  return null;
}
