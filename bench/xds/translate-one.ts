/**
 * Translation alone, for the owner of the hot spots the control-plane
 * benchmark finds: generates the mesh, loads it through the file source, and
 * times `translate` + `Snapshot.create` for a few proxies (the first builds the
 * mesh index, later ones reuse it).
 *
 *   node lib/bench/xds/translate-one.js [--services 1000] [--proxies 3]
 *   node --cpu-prof lib/bench/xds/translate-one.js ...   # then profile-top.js on the profile
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigStore, FileConfigSource } from '../../runtime/config';
import { Snapshot } from '../../runtime/xds/cache';
import { proxyIdentity, resourcesByTypeUrl, translate } from '../../runtime/xds/translate';
import { generateMesh, MESH_NAMESPACE, podLabels } from './generate-mesh';
import { proxyOf } from './load';

async function main(argv: string[]): Promise<void> {
  const num = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const services = num('services', 1000);
  const proxies = num('proxies', 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-translate-one-'));
  try {
    generateMesh(dir, { services });
    let t = performance.now();
    const store = new ConfigStore();
    await store.addSource(new FileConfigSource({ directory: dir, watch: false }));
    console.log(`load: ${(performance.now() - t).toFixed(0)} ms, ${store.snapshot().size} objects, ${store.snapshot().problems.length} problems`);
    for (let i = 0; i < proxies; i++) {
      const p = proxyOf(i, services);
      const identity = proxyIdentity({ id: p.id, metadata: { NAMESPACE: MESH_NAMESPACE, LABELS: podLabels(p.service, p.version) } });
      t = performance.now();
      const resources = translate(store.snapshot(), identity);
      const translated = performance.now() - t;
      const snapshot = Snapshot.create({ resources: resourcesByTypeUrl(resources) });
      const packed = performance.now() - t - translated;
      let bytes = 0;
      for (const type of snapshot.typeUrls()) for (const r of snapshot.resources(type).values()) bytes += r.any.value.length;
      console.log(`proxy ${i}: translate ${translated.toFixed(0)} ms, snapshot ${packed.toFixed(0)} ms; ${resources.listeners.length} listeners, ${resources.routes.length} route configs, ${resources.clusters.length} clusters, ${resources.endpoints.length} load assignments, ${(bytes / 1e6).toFixed(2)} MB encoded`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main(process.argv.slice(2));
