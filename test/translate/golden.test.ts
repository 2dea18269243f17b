/**
 * Golden tests of the translation: each folder under `golden/` is one behaviour,
 * `input.yaml` (objects + a GoldenProxy document) → `expected.json` (the selected
 * Envoy resources). Every resource produced — selected or not — must also pack
 * with the xDS codec and form a consistent cache snapshot.
 *
 * To regenerate the expected files after an intended change, run
 *   UPDATE_GOLDEN=1 npx jest test/translate/golden.test.ts
 * and review the diff.
 */
import * as fs from 'fs';
import * as path from 'path';
import { translate, resourcesByTypeUrl } from '../../runtime/xds/translate';
import { Snapshot, checkConsistency } from '../../runtime/xds/cache';
import { loadCase, selected } from './golden-harness';

const GOLDEN_DIR = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = fs.readdirSync(GOLDEN_DIR).filter((d) => fs.existsSync(path.join(GOLDEN_DIR, d, 'input.yaml'))).sort();

describe('translation golden files', () => {
  it('has golden cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  describe.each(cases)('%s', (name) => {
    const dir = path.join(GOLDEN_DIR, name);
    const golden = loadCase(dir);
    const resources = translate(golden.snapshot, golden.proxy);

    it('produces the expected resources', () => {
      const actual = selected(resources, golden.select);
      const file = path.join(dir, 'expected.json');
      if (UPDATE || !fs.existsSync(file)) {
        if (!UPDATE) throw new Error(`${file} missing: run with UPDATE_GOLDEN=1 to create it`);
        fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
    });

    it('packs every resource with the xDS codec into a consistent snapshot', () => {
      const snapshot = Snapshot.create({ resources: resourcesByTypeUrl(resources) });
      expect(checkConsistency(snapshot)).toEqual({ ok: true });
    });

    it('has no conflicting resources', () => {
      expect(resources.conflicts).toEqual([]);
    });

    it('is deterministic', () => {
      expect(translate(golden.snapshot, golden.proxy)).toEqual(resources);
    });
  });
});
