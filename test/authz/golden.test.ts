/**
 * Golden tests of the security filters' translation: `golden/<case>/input.yaml`
 * → `expected.json` (the selected listeners, whose inbound connection managers
 * carry jwt_authn and RBAC). The output must also decode with the proxy's own
 * decoders (what the runtime enforces is what is rendered).
 *
 * To regenerate after an intended change:
 *   UPDATE_GOLDEN=1 npx jest test/authz/golden.test.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { translate, resourcesByTypeUrl } from '../../runtime/xds/translate';
import { Snapshot, checkConsistency } from '../../runtime/xds/cache';
import { decodeResource } from '../../runtime/xds/resources';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { packResource, unpackResource } from '../../runtime/xds/protos';
import { loadCase, selected } from '../translate/golden-harness';

const GOLDEN_DIR = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = fs.readdirSync(GOLDEN_DIR).filter((d) => fs.existsSync(path.join(GOLDEN_DIR, d, 'input.yaml'))).sort();

describe.each(cases)('security translation golden: %s', (name) => {
  const dir = path.join(GOLDEN_DIR, name);
  const golden = loadCase(dir);
  const resources = translate(golden.snapshot, golden.proxy);

  it('produces the expected resources', () => {
    const actual = selected(resources, golden.select);
    const file = path.join(dir, 'expected.json');
    if (UPDATE) fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
  });

  it('packs into a consistent snapshot', () => {
    const snapshot = Snapshot.create({ resources: resourcesByTypeUrl(resources) });
    expect(checkConsistency(snapshot)).toEqual({ ok: true });
  });

  it('decodes with the proxy decoders after a wire round trip', () => {
    for (const l of resources.listeners) {
      const any = packResource(TypeUrl.Listener, l);
      const decoded = decodeResource(TypeUrl.Listener, unpackResource(any));
      expect(decoded.ok ? [] : decoded.errors).toEqual([]);
    }
  });
});
