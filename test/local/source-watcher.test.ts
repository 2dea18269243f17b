/** `--watch`'s watcher: one callback per burst, new directories watched, ignored paths and editor temp files skipped. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SourceWatcher, stackSourceDirectories } from '../../runtime/local/source-watcher';
import { eventually } from './support';

describe('SourceWatcher', () => {
  let dir: string;
  let watcher: SourceWatcher | undefined;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-watch-')));
    fs.mkdirSync(path.join(dir, 'stacks'));
    fs.mkdirSync(path.join(dir, 'constructs', 'traffic'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'stacks', 'out'));
    fs.writeFileSync(path.join(dir, 'stacks', 'main.ts'), '// app\n');
  });
  afterEach(() => {
    watcher?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the stack sources of an app in stacks/: its directory and constructs/', () => {
    expect(stackSourceDirectories(path.join(dir, 'stacks', 'main.ts'))).toEqual([path.join(dir, 'stacks'), path.join(dir, 'constructs')]);
  });

  test('a burst of changes is one callback; new directories are watched; ignored files are not reported', async () => {
    const calls: string[][] = [];
    watcher = new SourceWatcher({
      directories: [path.join(dir, 'stacks'), path.join(dir, 'constructs')],
      settleMs: 50,
      ignore: (f) => f.startsWith(path.join(dir, 'stacks', 'out')),
      onChange: (files) => {
        calls.push(files.map((f) => path.resolve(f)));
      },
    });
    expect(watcher.watched).toEqual(expect.arrayContaining([path.join(dir, 'constructs', 'traffic')]));
    fs.writeFileSync(path.join(dir, 'stacks', 'main.ts'), '// edited\n');
    fs.writeFileSync(path.join(dir, 'constructs', 'traffic', 'route.ts'), '// new\n');
    fs.writeFileSync(path.join(dir, 'stacks', 'out', 'bookinfo.k8s.yaml'), 'kind: x\n');
    fs.writeFileSync(path.join(dir, 'stacks', 'main.ts.swp'), 'x');
    await eventually('one callback', async () => calls.length === 1, 5000);
    expect(calls[0]).toEqual(expect.arrayContaining([path.join(dir, 'stacks', 'main.ts'), path.join(dir, 'constructs', 'traffic', 'route.ts')]));
    expect(calls[0].some((f) => f.includes(`${path.sep}out${path.sep}`) || f.endsWith('.swp'))).toBe(false);

    fs.mkdirSync(path.join(dir, 'stacks', 'extra'));
    await eventually('the new directory reported', async () => calls.length === 2, 5000);
    fs.writeFileSync(path.join(dir, 'stacks', 'extra', 'more.ts'), '// more\n');
    await eventually('a file in the new directory reported', async () => calls.some((c) => c.includes(path.join(dir, 'stacks', 'extra', 'more.ts'))), 5000);
  });
});
