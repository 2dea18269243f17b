/**
 * CRDs rendered from the kind schemas must be Kubernetes structural schemas.
 */
import { KINDS, renderCrd, findKindByName } from '../../constructs/api';

interface Node {
  [key: string]: unknown;
}

/** Walks a schema and returns every violation of the structural-schema rules we rely on. */
function structuralViolations(node: Node, path: string, out: string[] = []): string[] {
  if (!('type' in node) && node['x-kubernetes-preserve-unknown-fields'] !== true) out.push(`${path}: no type`);
  if ('patternProperties' in node) out.push(`${path}: patternProperties`);
  if ('properties' in node && 'additionalProperties' in node) out.push(`${path}: properties with additionalProperties`);
  if ('$id' in node) out.push(`${path}: $id`);
  if ('anyOf' in node || 'allOf' in node) out.push(`${path}: logical junctor`);
  if (Object.getOwnPropertySymbols(node).length > 0) out.push(`${path}: symbol keys`);
  if (node.additionalProperties === false) out.push(`${path}: additionalProperties false`);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) structuralViolations(child, `${path}.${key}`, out);
  if (node.items) structuralViolations(node.items as Node, `${path}[]`, out);
  if (typeof node.additionalProperties === 'object') structuralViolations(node.additionalProperties as Node, `${path}{}`, out);
  return out;
}

describe.each(KINDS.map((k) => [k.kind, k] as const))('%s CRD', (_name, info) => {
  const crd = renderCrd(info);

  test('names, scope and versions', () => {
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.metadata.name).toBe(`${info.plural}.${info.group}`);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.kind).toBe(info.kind);
    expect(crd.spec.names.listKind).toBe(`${info.kind}List`);
    const v1 = crd.spec.versions.find((v) => v.name === 'v1')!;
    expect(v1).toMatchObject({ served: true, storage: true });
    expect(crd.spec.versions.find((v) => v.name === 'v1beta1')).toMatchObject({ served: true, storage: false });
    expect(crd.spec.versions.filter((v) => v.storage)).toHaveLength(1);
  });

  test('every version carries a structural schema', () => {
    for (const version of crd.spec.versions) {
      const schema = version.schema.openAPIV3Schema as unknown as Node;
      expect(structuralViolations(schema, 'openAPIV3Schema')).toEqual([]);
      expect(schema).toMatchObject({ type: 'object', properties: { status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } });
    }
  });

  test('the CRD survives a JSON round trip unchanged (no hidden values)', () => {
    expect(JSON.parse(JSON.stringify(crd))).toEqual(crd);
  });
});

test('ranges, enums, required fields and maps survive the conversion', () => {
  const spec = renderCrd(findKindByName('VirtualService')!).spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
  const http = spec.properties!.http!.items!;
  expect(http.properties!.route!.items!.properties!.weight).toEqual(
    expect.objectContaining({ type: 'integer', minimum: 0, maximum: 100 }),
  );
  expect(http.properties!.route!.items!.required).toEqual(['destination']);
  expect(http.properties!.match!.items!.properties!.headers).toMatchObject({
    type: 'object',
    additionalProperties: { type: 'object', maxProperties: 1, properties: { exact: { type: 'string' } } },
  });
  expect(http.properties!.redirect!.properties!.derivePort).toEqual({ type: 'string', enum: ['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'] });
  expect(http.properties!.timeout!.pattern).toBeDefined();
});

test('snapshot: the DestinationRule CRD', () => {
  expect(renderCrd(findKindByName('DestinationRule')!)).toMatchSnapshot();
});

test('CRD names are the ones Istio installs, so a cluster with Istio sees the same resources', () => {
  expect(KINDS.map((k) => renderCrd(k).metadata.name).sort()).toEqual([
    'authorizationpolicies.security.istio.io',
    'destinationrules.networking.istio.io',
    'gateways.networking.istio.io',
    'peerauthentications.security.istio.io',
    'requestauthentications.security.istio.io',
    'serviceentries.networking.istio.io',
    'sidecars.networking.istio.io',
    'virtualservices.networking.istio.io',
    'workloadentries.networking.istio.io',
  ]);
});
