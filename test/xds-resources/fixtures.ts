/** Translated resources of a small bookinfo mesh, for a sidecar and an ingress gateway, and the golden files if present. */
import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments } from '../../runtime/config/yaml-files';
import { readManifest } from '../../runtime/config/manifest-reader';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import type { ConfigObject } from '../../runtime/config/config-object';
import { EnvoyResources, proxyIdentity, resourcesByTypeUrl, translate } from '../../runtime/xds/translate';
import type { PlainMessage } from '../../runtime/xds/protos';

export const SIDECAR_ID = 'sidecar~10.0.0.5~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local';
export const ROUTER_ID = 'router~10.0.9.1~istio-ingressgateway-5d9c-abcde.istio-system~istio-system.svc.cluster.local';

export function meshSnapshot(): ConfigSnapshot {
  const file = path.join(__dirname, 'fixtures', 'bookinfo-mesh.yaml');
  const objects: ConfigObject[] = [];
  for (const doc of parseYamlDocuments(fs.readFileSync(file, 'utf8'), file)) {
    const result = readManifest(doc.object as Record<string, unknown>, { source: 'test', file, index: doc.index }, 'default');
    if (result.type === 'invalid') throw new Error(`${file}#${doc.index}: ${result.errors.join('; ')}`);
    if (result.type === 'object') objects.push(result.object);
  }
  return ConfigSnapshot.of(objects);
}

export function sidecarResources(): EnvoyResources {
  return translate(meshSnapshot(), proxyIdentity({ id: SIDECAR_ID, metadata: { LABELS: { app: 'productpage', version: 'v1' } } }));
}

export function routerResources(): EnvoyResources {
  return translate(meshSnapshot(), proxyIdentity({ id: ROUTER_ID, metadata: { LABELS: { istio: 'ingressgateway' } } }));
}

export { resourcesByTypeUrl };

/** The translation golden cases' expected resources, by case name (none when the folder is empty). */
export function goldenExpectations(): [string, Record<string, PlainMessage[]>][] {
  const dir = path.join(__dirname, '..', 'translate', 'golden');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort()
    .filter((d) => fs.existsSync(path.join(dir, d, 'expected.json')))
    .map((d) => [d, JSON.parse(fs.readFileSync(path.join(dir, d, 'expected.json'), 'utf8')) as Record<string, PlainMessage[]>]);
}
