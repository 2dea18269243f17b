/**
 * Before anything starts: every address and port the local mesh will bind is
 * tried (listen, then close), so a taken port or a loopback address the system
 * does not route fails at once with a message naming it and who wanted it,
 * instead of as a crash of some child later. Also picks free ports for
 * settings given as 0.
 */
import * as net from 'net';

export interface PlannedBind {
  readonly host: string;
  readonly port: number;
  /** Who binds it, e.g. `proxy reviews-v2-local-00001 inbound`. */
  readonly owner: string;
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

function why(e: NodeJS.ErrnoException, host: string): string {
  switch (e.code) {
    case 'EADDRINUSE': return 'already in use (another meshform up, or another program?)';
    case 'EADDRNOTAVAIL': return host.startsWith('127.') && host !== '127.0.0.1'
      ? 'address not available (only 127.0.0.1 is configured on this loopback; on macOS add aliases: sudo ifconfig lo0 alias <address> up)'
      : 'address not available on this machine';
    case 'EACCES': return 'permission denied (ports below 1024 need privileges)';
    default: return e.message;
  }
}

/** Checks that every planned address can be bound; throws listing each one that cannot. */
export async function checkBindable(binds: readonly PlannedBind[]): Promise<void> {
  const seen = new Map<string, PlannedBind>();
  const problems: string[] = [];
  for (const b of binds) {
    const key = `${b.host}:${b.port}`;
    const first = seen.get(key);
    if (first) problems.push(`${key}: wanted by both ${first.owner} and ${b.owner}`);
    else seen.set(key, b);
  }
  // A few at a time: hundreds of simultaneous listens are no faster on a small machine.
  const unique = [...seen.values()];
  for (let i = 0; i < unique.length; i += 32) {
    const batch = unique.slice(i, i + 32);
    const errors = await Promise.all(batch.map((b) => tryListen(b.host, b.port)));
    errors.forEach((e, j) => {
      const b = batch[j];
      if (e) problems.push(`${b.host}:${b.port} (${b.owner}): ${why(e, b.host)}`);
    });
  }
  if (problems.length > 0) {
    throw new Error(`cannot start the local mesh: ${problems.length} address(es) cannot be bound:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** `count` distinct ports free on `host` now (the OS picks them). */
export async function pickFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: 0 }, () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
