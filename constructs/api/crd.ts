/**
 * Renders a kind's CustomResourceDefinition from its TypeBox schema. The schema is
 * converted into a Kubernetes *structural* schema: every node has a `type`, maps use
 * `additionalProperties` (never `patternProperties`), `properties` and
 * `additionalProperties` never appear together, and oneof unions become one object
 * whose fields are all allowed (with `maxProperties: 1` for single-field variants).
 */
import { TSchema } from '@sinclair/typebox';
import { KindInfo } from './kinds';

/** A JSON-schema node of a structural schema. */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema;
  items?: StructuralSchema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** A CustomResourceDefinition manifest (apiextensions.k8s.io/v1). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[]; categories: string[] };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: StructuralSchema };
      subresources: { status: Record<string, never> };
    }[];
  };
}

const VALUE_KEYWORDS = [
  'description',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
] as const;

function copyValueKeywords(from: TSchema, to: StructuralSchema): void {
  for (const key of VALUE_KEYWORDS) {
    if (from[key] !== undefined) (to as Record<string, unknown>)[key] = from[key];
  }
}

function isObjectSchema(s: TSchema): boolean {
  return s.type === 'object';
}

/** Converts one TypeBox schema node into a structural schema node. */
export function toStructural(schema: TSchema): StructuralSchema {
  const out: StructuralSchema = {};
  if (Array.isArray(schema.anyOf)) {
    const variants = schema.anyOf as TSchema[];
    if (variants.every((v) => v.const !== undefined)) {
      const values = variants.map((v) => v.const as unknown);
      out.type = jsonType(values[0]);
      copyValueKeywords(schema, out);
      out.enum = values;
      return out;
    }
    if (variants.every(isObjectSchema)) {
      out.type = 'object';
      copyValueKeywords(schema, out);
      const properties: Record<string, StructuralSchema> = {};
      for (const v of variants) {
        for (const [key, sub] of Object.entries((v.properties ?? {}) as Record<string, TSchema>)) {
          properties[key] ??= toStructural(sub);
        }
      }
      if (Object.keys(properties).length > 0) out.properties = properties;
      if (variants.every((v) => Object.keys(v.properties ?? {}).length <= 1)) out.maxProperties = 1;
      return out;
    }
    throw new Error(`cannot render a union of ${variants.map((v) => v.type).join(', ')} as a structural schema`);
  }
  if (schema.const !== undefined) {
    out.type = jsonType(schema.const);
    copyValueKeywords(schema, out);
    out.enum = [schema.const];
    return out;
  }
  switch (schema.type) {
    case 'object': {
      out.type = 'object';
      copyValueKeywords(schema, out);
      const props = (schema.properties ?? {}) as Record<string, TSchema>;
      const keys = Object.keys(props);
      if (keys.length > 0) {
        out.properties = {};
        for (const key of keys) out.properties[key] = toStructural(props[key] as TSchema);
        const required = (schema.required ?? []) as string[];
        if (required.length > 0) out.required = [...required];
      } else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
        out.additionalProperties = toStructural(schema.additionalProperties as TSchema);
      }
      return out;
    }
    case 'array':
      out.type = 'array';
      copyValueKeywords(schema, out);
      out.items = toStructural(schema.items as TSchema);
      return out;
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      out.type = schema.type;
      copyValueKeywords(schema, out);
      return out;
    default:
      throw new Error(`cannot render schema of type ${String(schema.type)} as a structural schema`);
  }
}

function jsonType(value: unknown): StructuralSchema['type'] {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    default:
      throw new Error(`cannot render literal ${String(value)} as a structural schema`);
  }
}

/** The openAPIV3Schema of a kind: `spec` from the kind schema, `status` left open. */
export function openApiSchema(info: KindInfo): StructuralSchema {
  return {
    type: 'object',
    description: `${info.kind} (${info.apiVersion}), rendered by meshform from its API schema.`,
    properties: {
      spec: toStructural(info.specSchema),
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
}

/**
 * Renders the CustomResourceDefinition of a kind: namespaced, `v1` served and stored,
 * older versions (`v1beta1`, ...) served with the same schema, as Istio does.
 */
export function renderCrd(info: KindInfo): CustomResourceDefinition {
  // A fresh schema object per version, so YAML writers emit no anchors/aliases.
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: openApiSchema(info) },
    subresources: { status: {} as Record<string, never> },
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${info.plural}.${info.group}`,
      labels: { 'app.kubernetes.io/part-of': 'meshform' },
    },
    spec: {
      group: info.group,
      names: {
        kind: info.kind,
        listKind: info.listKind,
        plural: info.plural,
        singular: info.singular,
        ...(info.shortNames.length > 0 ? { shortNames: [...info.shortNames] } : {}),
        categories: [...info.categories],
      },
      scope: 'Namespaced',
      versions: [version(info.version, true), ...info.servedVersions.map((v) => version(v, false))],
    },
  };
}
