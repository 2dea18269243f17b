/** Ports for tests. */
import * as net from 'net';

/**
 * A port on `address` that nothing listens on now (bound, then closed): one
 * to hand to a process that will listen there, or to connect to and be refused.
 */
export async function unusedPort(address = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
