import * as fs from 'fs';
import * as path from 'path';
import { ConfigStore } from '../../runtime/config/config-store';
import { FileConfigSource } from '../../runtime/config/file-source';
import type { ConfigChange } from '../../runtime/config/config-store';
import type { VirtualServiceSpec } from '../../constructs/api';
import {
  RATINGS_DESTINATION_RULE, REVIEWS_SERVICE, removeDir, reviewsVirtualService, tempDir, waitForSnapshot, writeFile,
} from './helpers';

function weights(store: ConfigStore): number[] | undefined {
  const vs = store.snapshot().get('VirtualService', 'default', 'reviews');
  return (vs?.spec as VirtualServiceSpec | undefined)?.http?.[0]?.route?.map((r) => r.weight ?? 0);
}

describe('FileConfigSource without watching', () => {
  let dir: string;
  let store: ConfigStore;
  let source: FileConfigSource;

  beforeEach(async () => {
    dir = tempDir({
      'mesh.yaml': `${REVIEWS_SERVICE}---\n${reviewsVirtualService(50, 50)}`,
      'nested/rules.yml': RATINGS_DESTINATION_RULE,
      'ignored.txt': 'not yaml: [',
    });
    store = new ConfigStore();
    source = new FileConfigSource({ directory: dir, watch: false });
    await store.addSource(source);
  });

  afterEach(async () => {
    await store.close();
    removeDir(dir);
  });

  it('reads every YAML file below the directory, multi-document, indexed by kind and namespace/name', () => {
    const snapshot = store.snapshot();
    expect(snapshot.kinds()).toEqual(['DestinationRule', 'Service', 'VirtualService']);
    expect(snapshot.get('Service', 'default', 'reviews')?.origin).toEqual({ source: source.name, file: path.join(dir, 'mesh.yaml'), index: 1 });
    expect(snapshot.get('VirtualService', 'default', 'reviews')?.origin.index).toBe(2);
    // The DestinationRule names no namespace: it gets the default one.
    expect(snapshot.list('DestinationRule', 'default').map((o) => o.name)).toEqual(['ratings']);
    expect(snapshot.problems).toEqual([]);
  });

  it('rejects an invalid object naming file, document, kind, namespace/name and field, and keeps serving its last good version', () => {
    // GIVEN a valid VirtualService served; WHEN the file now holds weights 150/50
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\n${reviewsVirtualService(150, 50)}`);
    const problems: string[] = [];
    store.onProblems((ps) => problems.push(...ps.map((p) => p.message)));
    source.refresh();
    // THEN the last good version is still served, the rest unaffected
    expect(weights(store)).toEqual([50, 50]);
    expect(store.snapshot().get('Service', 'default', 'reviews')).toBeDefined();
    expect(store.snapshot().get('DestinationRule', 'default', 'ratings')).toBeDefined();
    // AND the problem says where and what
    const message = store.snapshot().problems.map((p) => p.message).join('\n');
    expect(message).toContain(`${path.join(dir, 'mesh.yaml')}#2 (VirtualService default/reviews): spec.http[0].route[0].weight: expected integer <= 100, got 150`);
    expect(message).toContain('[last good version kept]');
    expect(problems).toHaveLength(1);
    expect(store.snapshot().problems[0]).toMatchObject({ file: path.join(dir, 'mesh.yaml'), index: 2, kind: 'VirtualService', namespace: 'default', name: 'reviews', keptLastGood: true });
  });

  it('serves the fixed object once it is valid again', () => {
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\n${reviewsVirtualService(150, 50)}`);
    source.refresh();
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\n${reviewsVirtualService(20, 80)}`);
    source.refresh();
    expect(weights(store)).toEqual([20, 80]);
    expect(store.snapshot().problems).toEqual([]);
  });

  it('does not serve an invalid object that never had a good version', () => {
    writeFile(dir, 'new.yaml', RATINGS_DESTINATION_RULE.replace('name: ratings', 'name: Bad_Name'));
    source.refresh();
    expect(store.snapshot().list('DestinationRule').map((o) => o.name)).toEqual(['ratings']);
    expect(store.snapshot().problems[0]?.message).toContain('new.yaml#1 (DestinationRule default/Bad_Name): metadata.name: expected a DNS-1123 name');
    expect(store.snapshot().problems[0]?.keptLastGood).toBe(false);
  });

  it('keeps what a file had when it no longer parses, and says where', () => {
    const before = store.snapshot();
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\nkind: VirtualService\nspec: [unclosed\n`);
    source.refresh();
    const after = store.snapshot();
    expect(after.get('Service', 'default', 'reviews')).toBe(before.get('Service', 'default', 'reviews'));
    expect(weights(store)).toEqual([50, 50]);
    expect(after.problems).toHaveLength(1);
    expect(after.problems[0]?.message).toMatch(new RegExp(`^${path.join(dir, 'mesh.yaml').replace(/[.\\/]/g, '\\$&')}: YAML parse error at line \\d+`));
    expect(after.problems[0]?.message).toContain('[previous objects of this file kept]');
  });

  it('removes the objects of a deleted file and reports the change by kind and key', () => {
    const changes: ConfigChange[] = [];
    store.onChange((c) => changes.push(c));
    fs.rmSync(path.join(dir, 'nested/rules.yml'));
    source.refresh();
    expect(store.snapshot().list('DestinationRule')).toEqual([]);
    expect(changes).toHaveLength(1);
    expect([...(changes[0] as ConfigChange).kinds]).toEqual(['DestinationRule']);
    expect(changes[0]?.removed).toEqual(['DestinationRule/default/ratings']);
  });

  it('makes a new immutable snapshot per change and none when nothing changed', () => {
    const first = store.snapshot();
    source.refresh();
    expect(store.snapshot()).toBe(first);
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\n${reviewsVirtualService(10, 90)}`);
    source.refresh();
    const second = store.snapshot();
    expect(second).not.toBe(first);
    expect(second.version).toBe(first.version + 1);
    expect((first.get('VirtualService', 'default', 'reviews')?.spec as VirtualServiceSpec).http?.[0]?.route?.[0]?.weight).toBe(50);
    expect(Object.isFrozen(second)).toBe(true);
    expect(Object.isFrozen(second.list('VirtualService'))).toBe(true);
    // Unchanged objects keep their identity.
    expect(second.get('Service', 'default', 'reviews')).toBe(first.get('Service', 'default', 'reviews'));
  });
});

describe('FileConfigSource watching a directory', () => {
  let dir: string;
  let store: ConfigStore;
  let fileEvents: ((file: string | undefined) => void)[];

  /** Resolves on the next raw file event the source sees. */
  function nextFileEvent(deadlineMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no file event within ${deadlineMs} ms`)), deadlineMs);
      fileEvents.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  beforeEach(async () => {
    dir = tempDir({ 'mesh.yaml': `${REVIEWS_SERVICE}---\n${reviewsVirtualService(50, 50)}` });
    store = new ConfigStore();
    fileEvents = [];
    const onFileEvent = (file: string | undefined): void => fileEvents.splice(0).forEach((f) => f(file));
    await store.addSource(new FileConfigSource({ directory: dir, settleMs: 100, onFileEvent }));
  });

  afterEach(async () => {
    await store.close();
    removeDir(dir);
  });

  it('picks up an edit within the deadline and names what changed', async () => {
    const changes: ConfigChange[] = [];
    store.onChange((c) => changes.push(c));
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\n${reviewsVirtualService(0, 100)}`);
    await waitForSnapshot(store, () => weights(store)?.[1] === 100);
    expect(changes[0]?.updated).toEqual(['VirtualService/default/reviews']);
    expect([...(changes[0] as ConfigChange).kinds]).toEqual(['VirtualService']);
  });

  it('tells when the file events behind a change came, read after they settled', async () => {
    const changes: { change: ConfigChange; at: number }[] = [];
    store.onChange((change) => changes.push({ change, at: Date.now() }));
    const before = Date.now();
    writeFile(dir, 'mesh.yaml', `${REVIEWS_SERVICE}---\n${reviewsVirtualService(20, 80)}`);
    await waitForSnapshot(store, () => weights(store)?.[1] === 80);
    const readAt = changes[0]?.at ?? 0;
    const events = changes[0]?.change.events;
    expect(events?.firstAt).toBeGreaterThanOrEqual(before);
    expect(events?.lastAt).toBeGreaterThanOrEqual(events?.firstAt ?? Infinity);
    // The read came no sooner than the settle time (100 ms) after the last event.
    expect(readAt - (events?.lastAt ?? readAt)).toBeGreaterThanOrEqual(95);
  });

  it('picks up a new file in a new subdirectory', async () => {
    writeFile(dir, 'more/rules.yaml', RATINGS_DESTINATION_RULE);
    await waitForSnapshot(store, (s) => s.get('DestinationRule', 'default', 'ratings') !== undefined);
  });

  it('does not flap when a file is truncated and then written', async () => {
    const seen: (number[] | undefined)[] = [];
    store.onChange(() => seen.push(weights(store)));
    const file = path.join(dir, 'mesh.yaml');
    // GIVEN the watcher has seen the truncation (an empty file) before the content is written
    const truncated = nextFileEvent();
    fs.truncateSync(file, 0);
    await truncated;
    fs.writeFileSync(file, `${REVIEWS_SERVICE}---\n${reviewsVirtualService(30, 70)}`);
    await waitForSnapshot(store, () => weights(store)?.[0] === 30);
    // Never served without the VirtualService (or the Service) in between.
    expect(seen.every((w) => w !== undefined)).toBe(true);
    expect(store.snapshot().get('Service', 'default', 'reviews')).toBeDefined();
  });
});

describe('FileConfigSource watching one directory at a time', () => {
  it('picks up a file written into a subdirectory created after the start', async () => {
    const dir = tempDir({ 'mesh.yaml': REVIEWS_SERVICE });
    const store = new ConfigStore();
    try {
      await store.addSource(new FileConfigSource({ directory: dir, settleMs: 50, recursiveWatch: false }));
      fs.mkdirSync(path.join(dir, 'later'));
      // Watchers are renewed before each settled read: once top.yaml is read, 'later' is watched too.
      writeFile(dir, 'top.yaml', reviewsVirtualService(50, 50));
      await waitForSnapshot(store, () => weights(store) !== undefined);
      writeFile(dir, 'later/rules.yaml', RATINGS_DESTINATION_RULE);
      await waitForSnapshot(store, (s) => s.get('DestinationRule', 'default', 'ratings') !== undefined);
    } finally {
      await store.close();
      removeDir(dir);
    }
  });
});
