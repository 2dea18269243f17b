/**
 * The process supervisor with small node children: a crash is reported with
 * the child's name, exit and last lines; stopAll ends everything (SIGKILL for a
 * child that ignores SIGTERM); the orphan guard stops a child whose parent was
 * killed outright.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProcessSupervisor, UnexpectedExit, describeExit } from '../../runtime/local/process-supervisor';
import { ROOT, ensureBuilt } from '../support/built-lib';
import { alive, eventually } from './support';

const node = (code: string) => ({ command: process.execPath, args: ['-e', code] });
const FOREVER = 'setInterval(() => {}, 1000);';

describe('ProcessSupervisor', () => {
  const supervisors: ProcessSupervisor[] = [];
  const make = (): ProcessSupervisor => {
    const s = new ProcessSupervisor();
    supervisors.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(supervisors.map((s) => s.stopAll(200)));
  });

  test('a child that dies is reported with its name, exit and last lines; stopAll ends the others', async () => {
    const supervisor = make();
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-sup-'));
    const reports: UnexpectedExit[] = [];
    supervisor.onUnexpectedExit((e) => reports.push(e));
    const steady = supervisor.start({ name: 'steady', ...node(`console.log('up'); ${FOREVER}`) });
    const crashing = supervisor.start({
      name: 'app details', ...node("console.error('loading'); setTimeout(() => { console.error('boom: cannot read config'); process.exit(3); }, 100);"),
      logFile: path.join(logDir, 'details.log'),
    });
    await eventually('the crash reported', async () => reports.length === 1, 5000);
    expect(reports[0].child).toBe(crashing);
    expect(describeExit(reports[0])).toBe('exited with code 3');
    expect(reports[0].lastLines).toEqual(['loading', 'boom: cannot read config']);
    expect(fs.readFileSync(path.join(logDir, 'details.log'), 'utf8')).toContain('boom');
    expect(steady.running).toBe(true);

    await supervisor.stopAll();
    expect(steady.running).toBe(false);
    expect(steady.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(reports).toHaveLength(1); // exits during stopAll are expected
    expect(() => supervisor.start({ name: 'late', ...node(FOREVER) })).toThrow('being stopped');
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  test('a child that ignores SIGTERM is killed after the grace period', async () => {
    const supervisor = make();
    const stubborn = supervisor.start({ name: 'stubborn', ...node(`process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); ${FOREVER}`) });
    await eventually('the child ready', async () => stubborn.lastLines().includes('ready'), 5000);
    const started = Date.now();
    await supervisor.stopAll(300);
    expect(stubborn.exit?.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  test('a start failure is reported like a crash', async () => {
    const supervisor = make();
    const reports: UnexpectedExit[] = [];
    supervisor.onUnexpectedExit((e) => reports.push(e));
    supervisor.start({ name: 'missing', command: path.join(os.tmpdir(), 'no-such-program-here'), args: [] });
    await eventually('the failure reported', async () => reports.length === 1, 5000);
    expect(reports[0].lastLines[0]).toMatch(/^failed to start: .*ENOENT/);
  });
});

describe('orphan guard', () => {
  test('a child whose parent is killed with SIGKILL stops itself', async () => {
    ensureBuilt();
    const guard = path.join(ROOT, 'lib/runtime/local/orphan-guard.js');
    // The parent starts a guarded grandchild, prints its pid, and waits forever.
    const parent = spawn(process.execPath, ['-e', `
      const { spawn } = require('child_process');
      const child = spawn(process.execPath, ['-r', ${JSON.stringify(guard)}, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, MESHFORM_PARENT_PID: String(process.pid) } });
      console.log(child.pid);
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout?.setEncoding('utf8').on('data', (t: string) => (out += t));
    const grandchild = Number(await eventually('the grandchild pid', async () => /^(\d+)\n/.exec(out)?.[1], 5000));
    expect(alive(grandchild)).toBe(true);
    parent.kill('SIGKILL');
    try {
      await eventually('the orphan stopped', async () => !alive(grandchild), 5000);
    } finally {
      if (alive(grandchild)) process.kill(grandchild, 'SIGKILL');
    }
  }, 200_000); // ensureBuilt may have to build lib/ first
});
