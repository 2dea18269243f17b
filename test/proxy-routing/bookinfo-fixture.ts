/** Bookinfo translated by the control plane's translation and decoded, as the proxy would receive it. */
import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments } from '../../runtime/config/yaml-files';
import { readManifest } from '../../runtime/config/manifest-reader';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import type { ConfigObject } from '../../runtime/config/config-object';
import { proxyIdentity, translate } from '../../runtime/xds/translate';
import { decodeRouteConfiguration } from '../../runtime/xds/resources';
import { RouteTable } from '../../runtime/proxy/routing';

const SIDECAR_ID = 'sidecar~10.0.0.5~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local';

/**
 * The `9080` route table of the productpage sidecar, from fixtures/bookinfo-routing.yaml through translation and decoding
 * (`file` lets a compiled benchmark point at the source fixture).
 */
export function bookinfoTable(file = path.join(__dirname, 'fixtures', 'bookinfo-routing.yaml')): RouteTable {
  const objects: ConfigObject[] = [];
  for (const doc of parseYamlDocuments(fs.readFileSync(file, 'utf8'), file)) {
    const result = readManifest(doc.object as Record<string, unknown>, { source: 'test', file, index: doc.index }, 'default');
    if (result.type === 'invalid') throw new Error(result.errors.join('; '));
    if (result.type === 'object') objects.push(result.object);
  }
  const resources = translate(ConfigSnapshot.of(objects), proxyIdentity({ id: SIDECAR_ID, metadata: { LABELS: { app: 'productpage', version: 'v1' } } }));
  const plain = resources.routes.find((r) => r.name === '9080');
  if (!plain) throw new Error('no 9080 route configuration');
  const decoded = decodeRouteConfiguration(plain);
  if (!decoded.ok) throw new Error(decoded.errors.join('\n'));
  return RouteTable.compile(decoded.value);
}
