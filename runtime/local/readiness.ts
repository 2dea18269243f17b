/**
 * Waiting for the processes of a local mesh: small HTTP probes of their
 * readiness endpoints (control plane `/ready`, proxy admin `/ready`, an app's
 * port accepting connections), polled with a deadline and given up at once
 * when the process being waited for has exited.
 */
import * as http from 'http';
import * as net from 'net';

/** Time between probes. */
export const PROBE_INTERVAL_MS = 100;
/** Deadline of one probe. */
export const PROBE_TIMEOUT_MS = 1000;

export interface ProbeResponse {
  readonly status: number;
  readonly body: string;
}

/** GETs `url`; resolves undefined when nothing answers within `timeoutMs`. */
export function httpProbe(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResponse | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** Whether something accepts TCP connections on `host:port`. */
export function tcpProbe(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitOptions {
  /** What is awaited, for the timeout message. */
  readonly what: string;
  readonly deadlineMs: number;
  /** A reason to stop waiting now (the process exited), or undefined to go on. */
  readonly giveUp?: () => string | undefined;
}

/** Polls `check` until it resolves true; rejects at the deadline or when `giveUp` says so. */
export async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const started = Date.now();
  for (;;) {
    const reason = options.giveUp?.();
    if (reason !== undefined) throw new Error(`${options.what}: ${reason}`);
    if (await check()) return;
    if (Date.now() - started > options.deadlineMs) throw new Error(`${options.what}: not ready within ${Math.round(options.deadlineMs / 1000)} s`);
    await new Promise<void>((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}
