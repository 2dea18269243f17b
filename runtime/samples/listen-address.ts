/** The `--listen` address of a sample: `host:port`, `[v6]:port` or a bare host. */

export interface ListenAddress {
  readonly host: string;
  /** 0 lets the OS pick a free port. */
  readonly port: number;
}

/**
 * Parses `127.0.1.5:9080`, `[::1]:9080` or `127.0.1.5` (then `defaultPort`).
 * Throws with the text received when it is not one of those.
 */
export function parseListenAddress(text: string, defaultPort: number): ListenAddress {
  const fail = (why: string): never => {
    throw new Error(`--listen: expected host:port (e.g. 127.0.0.1:9080), ${why} (got '${text}')`);
  };
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  let host: string;
  let portText: string | undefined;
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0 && text.indexOf(':') !== colon) fail('IPv6 hosts go in brackets');
    host = colon >= 0 ? text.slice(0, colon) : text;
    portText = colon >= 0 ? text.slice(colon + 1) : undefined;
  }
  if (host === '') fail('the host is missing');
  if (portText === undefined) return { host, port: defaultPort };
  const port = Number(portText);
  if (portText === '' || !Number.isInteger(port) || port < 0 || port > 65535) fail('the port must be 0..65535');
  return { host, port };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
