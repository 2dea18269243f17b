/** Stopping a test's child process for certain (SIGKILL, then wait for its exit), whatever state it is in. */
import type { ChildProcess } from 'child_process';

/** Kills `child` unless it has exited, and resolves once it has. */
export async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
