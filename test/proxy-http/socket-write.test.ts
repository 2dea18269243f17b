/**
 * writeDirect: whole writes straight to a socket's handle, with socket.write's
 * contract (order, back-pressure with 'drain', errors destroy the socket).
 */
import * as net from 'net';
import { writeDirect } from '../../runtime/proxy/http/socket-write';

interface Pair {
  readonly client: net.Socket;
  readonly server: net.Socket;
  close(): Promise<void>;
}

async function connectedPair(pauseOnConnect = false): Promise<Pair> {
  const srv = net.createServer({ pauseOnConnect });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => srv.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port: (srv.address() as net.AddressInfo).port });
  client.on('error', () => undefined);
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const server = await accepted;
  server.on('error', () => undefined);
  return {
    client, server,
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

function collect(socket: net.Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  return new Promise((resolve) => {
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n >= bytes) resolve(Buffer.concat(chunks));
    });
  });
}

describe('writeDirect', () => {
  test('a small write goes out whole and reports no back-pressure', async () => {
    const p = await connectedPair();
    try {
      const got = collect(p.server, 11);
      expect(writeDirect(p.client, Buffer.from('hello '))).toBe(true);
      expect(writeDirect(p.client, 'wörld')).toBe(true); // latin1 text
      expect((await got).toString('latin1')).toBe('hello wörld');
    } finally {
      await p.close();
    }
  });

  test('when the kernel takes part, the rest follows in order, later writes queue behind it, and drain comes once', async () => {
    const p = await connectedPair(true);
    try {
      const big = Buffer.alloc(32 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
      let drains = 0;
      p.client.on('drain', () => drains++);
      expect(writeDirect(p.client, big)).toBe(false);
      expect(writeDirect(p.client, 'A')).toBe(false); // still owed a drain
      p.client.write('B'); // through the stream: behind the direct writes
      const drained = new Promise<void>((resolve) => p.client.once('drain', () => resolve()));
      const got = collect(p.server, big.length + 2);
      p.server.resume();
      const all = await got;
      await drained;
      expect(all.length).toBe(big.length + 2);
      expect(all.subarray(0, big.length).equals(big)).toBe(true);
      expect(all.subarray(big.length).toString('latin1')).toBe('AB');
      expect(drains).toBe(1);
    } finally {
      await p.close();
    }
  }, 20_000);

  test('a corked socket keeps the stream path (written on uncork, in order)', async () => {
    const p = await connectedPair();
    try {
      const got = collect(p.server, 6);
      p.client.cork();
      p.client.write('abc');
      expect(writeDirect(p.client, Buffer.from('def'))).toBe(true);
      p.client.uncork();
      expect((await got).toString()).toBe('abcdef');
    } finally {
      await p.close();
    }
  });

  test('writing to a reset connection destroys the socket with the error', async () => {
    const p = await connectedPair();
    try {
      const closed = new Promise<void>((resolve) => p.client.once('close', () => resolve()));
      p.server.resetAndDestroy();
      await new Promise<void>((resolve) => p.client.once('end', () => resolve()).once('error', () => resolve()));
      for (let i = 0; i < 50 && !p.client.destroyed; i++) {
        writeDirect(p.client, Buffer.alloc(64 * 1024));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await closed;
      expect(p.client.destroyed).toBe(true);
    } finally {
      await p.close();
    }
  });
});
