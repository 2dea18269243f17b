/**
 * Validation of Istio specs and manifests against the kind schemas, with error
 * messages that name the field path, what was expected and what was received:
 * `spec.http[0].route[1].weight: expected integer <= 100, got 150`.
 */
import { TSchema, Kind } from '@sinclair/typebox';
import { TypeCompiler, TypeCheck } from '@sinclair/typebox/compiler';
import { ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { EXCLUSIVE_KEYWORD, DURATION_PATTERN } from './common';
import { KindInfo, findKind, findKindByName } from './kinds';
import type { VirtualServiceSpec } from './virtual-service';
import type { DestinationRuleSpec } from './destination-rule';
import type { GatewaySpec } from './gateway';
import type { ServiceEntrySpec } from './service-entry';
import type { WorkloadEntrySpec } from './workload-entry';
import type { SidecarSpec } from './sidecar';
import type { PeerAuthenticationSpec } from './peer-authentication';
import type { AuthorizationPolicySpec } from './authorization-policy';
import type { RequestAuthenticationSpec } from './request-authentication';

/** The outcome of a validation: the value, or messages prefixed with field paths. */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** The spec type of each kind. */
export interface SpecByKind {
  VirtualService: VirtualServiceSpec;
  DestinationRule: DestinationRuleSpec;
  Gateway: GatewaySpec;
  ServiceEntry: ServiceEntrySpec;
  WorkloadEntry: WorkloadEntrySpec;
  Sidecar: SidecarSpec;
  PeerAuthentication: PeerAuthenticationSpec;
  AuthorizationPolicy: AuthorizationPolicySpec;
  RequestAuthentication: RequestAuthenticationSpec;
}

/** A kind name meshform knows. */
export type KindName = keyof SpecByKind;

/** Kubernetes object metadata, as far as validation is concerned. */
export interface IstioObjectMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly [key: string]: unknown;
}

/** A validated Istio manifest. */
export interface IstioObject<S = unknown> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: IstioObjectMetadata;
  readonly spec: S;
  readonly status?: unknown;
}

const compiled = new Map<TSchema, TypeCheck<TSchema>>();

function compiledFor(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/**
 * Validates a value against any schema of the API layer. `path` prefixes the messages
 * (`spec` by default).
 */
export function validateAgainst<T>(schema: TSchema, value: unknown, path = 'spec'): Result<T> {
  const check = compiledFor(schema);
  if (!check.Check(value)) {
    return { ok: false, errors: describeErrors(schema, [...check.Errors(value)], path) };
  }
  const exclusive: string[] = [];
  checkExclusive(schema, value, path, exclusive);
  if (exclusive.length > 0) return { ok: false, errors: exclusive };
  return { ok: true, value: value as T };
}

/** Validates the spec of a kind (`VirtualService`, ...). Messages are prefixed with `spec`. */
export function validateSpec<K extends KindName>(kind: K, spec: unknown, path?: string): Result<SpecByKind[K]>;
export function validateSpec(kind: string, spec: unknown, path?: string): Result<unknown>;
export function validateSpec(kind: string, spec: unknown, path = 'spec'): Result<unknown> {
  const info = findKindByName(kind);
  if (!info) return { ok: false, errors: [`kind: unknown kind ${JSON.stringify(kind)}`] };
  return validateAgainst(info.specSchema, spec, path);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Validates a whole manifest: apiVersion and kind known, metadata.name present and a
 * DNS-1123 name, metadata.namespace (if any) a DNS-1123 label, and the spec.
 */
export function validateObject(manifest: unknown): Result<IstioObject> {
  if (!isPlainObject(manifest)) return { ok: false, errors: [`expected an object, got ${show(manifest)}`] };
  const errors: string[] = [];
  const { apiVersion, kind, metadata } = manifest;
  let info: KindInfo | undefined;
  if (typeof apiVersion !== 'string') errors.push(`apiVersion: expected string, got ${show(apiVersion)}`);
  if (typeof kind !== 'string') errors.push(`kind: expected string, got ${show(kind)}`);
  if (typeof apiVersion === 'string' && typeof kind === 'string') {
    info = findKind(apiVersion, kind);
    if (!info) errors.push(`kind: unknown kind ${kind} in ${apiVersion}`);
  }
  if (!isPlainObject(metadata)) {
    errors.push(`metadata: expected object, got ${show(metadata)}`);
  } else {
    const { name, namespace } = metadata;
    if (name === undefined || name === '') errors.push('metadata.name: required field missing');
    else if (typeof name !== 'string') errors.push(`metadata.name: expected string, got ${show(name)}`);
    else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
      errors.push(`metadata.name: expected a DNS-1123 name (lowercase alphanumerics, '-' and '.'), got ${show(name)}`);
    if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS1123_LABEL.test(namespace)))
      errors.push(`metadata.namespace: expected a DNS-1123 label, got ${show(namespace)}`);
  }
  if (info) {
    const spec = manifest.spec === undefined ? {} : manifest.spec;
    const result = validateAgainst(info.specSchema, spec, 'spec');
    if (!result.ok) errors.push(...result.errors);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: manifest as unknown as IstioObject };
}

// ---------------------------------------------------------------------------
// Error formatting

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Turns a JSON pointer (`/http/0/route`) into a field path (`spec.http[0].route`). */
export function pointerToPath(prefix: string, pointer: string): string {
  if (pointer === '') return prefix;
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function literalValues(schema: TSchema): unknown[] | undefined {
  const variants = schema.anyOf as TSchema[] | undefined;
  if (!variants || !variants.every((v) => v.const !== undefined)) return undefined;
  return variants.map((v) => v.const);
}

function objectKeys(schema: TSchema): string[] | undefined {
  if (schema[Kind] !== 'Object' || !schema.properties) return undefined;
  return Object.keys(schema.properties as object);
}

function kindName(schema: TSchema): string {
  switch (schema[Kind]) {
    case 'Integer':
      return 'integer';
    case 'Number':
      return 'number';
    case 'String':
      return 'string';
    case 'Boolean':
      return 'boolean';
    case 'Array':
      return 'array';
    case 'Object':
      return 'object';
    default:
      return String(schema[Kind] ?? 'value').toLowerCase();
  }
}

function describeOne(error: ValueError, prefix: string): string[] {
  const path = pointerToPath(prefix, error.path);
  const s = error.schema;
  const got = show(error.value);
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return [`${path}: unknown field`];
    case ValueErrorType.ObjectRequiredProperty:
      return [`${path}: required field missing`];
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return [`${path}: expected ${kindName(s)} <= ${s.maximum}, got ${got}`];
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return [`${path}: expected ${kindName(s)} >= ${s.minimum}, got ${got}`];
    case ValueErrorType.IntegerExclusiveMaximum:
    case ValueErrorType.NumberExclusiveMaximum:
      return [`${path}: expected ${kindName(s)} < ${s.exclusiveMaximum}, got ${got}`];
    case ValueErrorType.IntegerExclusiveMinimum:
    case ValueErrorType.NumberExclusiveMinimum:
      return [`${path}: expected ${kindName(s)} > ${s.exclusiveMinimum}, got ${got}`];
    case ValueErrorType.StringPattern:
      if (s.pattern === DURATION_PATTERN) return [`${path}: expected a duration such as "3s", "0.5s" or "100ms", got ${got}`];
      return [`${path}: expected string matching /${s.pattern}/, got ${got}`];
    case ValueErrorType.StringMinLength:
      return [
        s.minLength === 1
          ? `${path}: expected a non-empty string, got ${got}`
          : `${path}: expected string of at least ${s.minLength} characters, got ${got}`,
      ];
    case ValueErrorType.StringMaxLength:
      return [`${path}: expected string of at most ${s.maxLength} characters, got ${got}`];
    case ValueErrorType.ArrayMinItems:
      return [`${path}: expected at least ${s.minItems} item(s), got ${Array.isArray(error.value) ? error.value.length : got}`];
    case ValueErrorType.ArrayMaxItems:
      return [`${path}: expected at most ${s.maxItems} item(s), got ${Array.isArray(error.value) ? error.value.length : got}`];
    case ValueErrorType.Literal:
      return [`${path}: expected ${show(s.const)}, got ${got}`];
    case ValueErrorType.Union:
      return describeUnion(error, prefix, path);
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
    case ValueErrorType.String:
    case ValueErrorType.Boolean:
    case ValueErrorType.Array:
    case ValueErrorType.Object:
      return [`${path}: expected ${kindName(s)}, got ${got}`];
    default:
      return [`${path}: ${error.message.toLowerCase()}, got ${got}`];
  }
}

/** Explains a failed union: an enum, or a `oneof` of single-field objects such as StringMatch. */
function describeUnion(error: ValueError, prefix: string, path: string): string[] {
  const got = show(error.value);
  const variants = (error.schema.anyOf ?? []) as TSchema[];
  const literals = literalValues(error.schema);
  if (literals) return [`${path}: expected one of ${literals.join(', ')}, got ${got}`];
  const variantKeys = variants.map(objectKeys);
  if (variantKeys.every((k) => k !== undefined) && isPlainObject(error.value)) {
    const keys = Object.keys(error.value);
    const allowed = [...new Set(variantKeys.flat() as string[])];
    const unknown = keys.filter((k) => !allowed.includes(k));
    if (unknown.length > 0) return unknown.map((k) => `${pointerToPath(path, `/${k}`)}: unknown field`);
    const fitting = variants.map((_, i) => i).filter((i) => keys.every((k) => (variantKeys[i] as string[]).includes(k)));
    if (fitting.length === 1 && keys.length > 0) {
      const index = fitting[0] as number;
      const sub = [...(error.errors[index] ?? [])];
      if (sub.length > 0) return describeErrors(variants[index] as TSchema, sub, prefix);
    }
    const choices = allowed.join(', ');
    if (keys.length > 1) return [`${path}: expected exactly one of ${choices}, got ${keys.join(', ')}`];
    return [`${path}: expected one of ${choices}, got ${got}`];
  }
  return [`${path}: expected ${variants.map(kindName).join(' or ')}, got ${got}`];
}

/** Formats TypeBox errors, one message per field path. */
function describeErrors(_schema: TSchema, errors: ValueError[], prefix: string): string[] {
  const out: string[] = [];
  const seenPaths = new Set<string>();
  for (const error of errors) {
    if (seenPaths.has(error.path)) continue;
    seenPaths.add(error.path);
    for (const message of describeOne(error, prefix)) if (!out.includes(message)) out.push(message);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Exclusive fields (Istio `oneof`s), checked once the value has the right shape.

/**
 * A field path built only when a message needs it: the checks below visit every
 * field of every valid spec, and almost never report.
 */
type LazyPath = () => string;

function childPath(parent: LazyPath, pointer: string): LazyPath {
  let text: string | undefined;
  return () => (text ??= pointerToPath(parent(), pointer));
}

function checkExclusive(schema: TSchema, value: unknown, path: string, out: string[]): void {
  checkExclusiveAt(schema, value, () => path, out);
}

function checkExclusiveAt(schema: TSchema, value: unknown, path: LazyPath, out: string[]): void {
  if (schema.anyOf) {
    const variant = (schema.anyOf as TSchema[]).find((v) => compiledFor(v).Check(value));
    if (variant) checkExclusiveAt(variant, value, path, out);
    return;
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      let text: string | undefined;
      checkExclusiveAt(schema.items as TSchema, item, () => (text ??= `${path()}[${i}]`), out);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const groups = schema[EXCLUSIVE_KEYWORD] as string[][] | undefined;
  for (const group of groups ?? []) {
    const set = group.filter((k) => value[k] !== undefined);
    if (set.length > 1) out.push(`${path()}: at most one of ${group.join(', ')} may be set, got ${set.join(', ')}`);
  }
  const properties = schema.properties as Record<string, TSchema> | undefined;
  if (properties) {
    for (const key in properties) {
      if (value[key] !== undefined) checkExclusiveAt(properties[key], value[key], childPath(path, `/${key}`), out);
    }
  }
  const additional = schema.additionalProperties;
  if (isPlainObject(additional) && Object.keys(properties ?? {}).length === 0) {
    for (const [key, item] of Object.entries(value)) checkExclusiveAt(additional as TSchema, item, childPath(path, `/${key}`), out);
  }
}
