/**
 * Loading a golden case: `input.yaml` holds the Istio and Kubernetes objects and
 * one `kind: GoldenProxy` document naming the proxy (node id and metadata) and
 * which resources to compare (`select`: per type, a list of names, or `'*'`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments } from '../../runtime/config/yaml-files';
import { readManifest } from '../../runtime/config/manifest-reader';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import type { ConfigObject } from '../../runtime/config/config-object';
import { ProxyIdentity, proxyIdentity } from '../../runtime/xds/translate/proxy-identity';
import type { EnvoyResources } from '../../runtime/xds/translate';

export type ResourceKind = Exclude<keyof EnvoyResources, 'conflicts'>;
export const RESOURCE_KINDS: readonly ResourceKind[] = ['listeners', 'routes', 'clusters', 'endpoints'];

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly snapshot: ConfigSnapshot;
  readonly proxy: ProxyIdentity;
  readonly select: Partial<Record<ResourceKind, '*' | string[]>>;
}

export function loadCase(dir: string): GoldenCase {
  const file = path.join(dir, 'input.yaml');
  const docs = parseYamlDocuments(fs.readFileSync(file, 'utf8'), file);
  const objects: ConfigObject[] = [];
  let proxy: ProxyIdentity | undefined;
  let select: GoldenCase['select'] = {};
  for (const doc of docs) {
    const o = doc.object as Record<string, unknown>;
    if (o.kind === 'GoldenProxy') {
      proxy = proxyIdentity({ id: String(o.id), metadata: (o.metadata ?? {}) as Record<string, unknown> });
      select = (o.select ?? {}) as GoldenCase['select'];
      continue;
    }
    const result = readManifest(o, { source: 'golden', file, index: doc.index }, 'default');
    if (result.type === 'invalid') throw new Error(`${file}#${doc.index}: ${result.errors.join('; ')}`);
    if (result.type === 'object') objects.push(result.object);
  }
  if (!proxy) throw new Error(`${file}: no GoldenProxy document`);
  return { name: path.basename(dir), dir, snapshot: ConfigSnapshot.of(objects), proxy, select };
}

/** The selected part of `resources`, as stored in `expected.json`. */
export function selected(resources: EnvoyResources, select: GoldenCase['select']): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const kind of RESOURCE_KINDS) {
    const which = select[kind];
    if (which === undefined) continue;
    const field = kind === 'endpoints' ? 'cluster_name' : 'name';
    const list = resources[kind].filter((r) => which === '*' || which.includes(String(r[field])));
    const missing = which === '*' ? [] : which.filter((n) => !list.some((r) => r[field] === n));
    if (missing.length > 0) throw new Error(`selected ${kind} not produced: ${missing.join(', ')} (got ${resources[kind].map((r) => r[field]).join(', ')})`);
    out[kind] = JSON.parse(JSON.stringify(list)) as unknown[];
  }
  return out;
}
