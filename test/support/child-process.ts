/**
 * Child processes in tests: a free loopback port to hand to one, and stopping
 * one for certain (SIGKILL, then wait for its exit) whatever state it is in.
 */
import type { ChildProcess } from 'child_process';
import * as net from 'net';

/** A port free on 127.0.0.1 now (bound, then closed). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Kills `child` unless it has exited, and resolves once it has. */
export async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
