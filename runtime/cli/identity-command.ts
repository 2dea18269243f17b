/**
 * `meshform identity --admin 127.0.0.1:15000`: the workload identity of a
 * running proxy, read from its admin endpoint (`/identity`, the summary of
 * what `/certs` lists): SPIFFE ID, serial, issuer, validity, next rotation.
 */
import * as http from 'http';
import { Command } from 'commander';
import type { IdentitySummary } from '../proxy/admin/certs';
import { CliContext, EXIT_FAILURE, UsageError } from './cli-context';

interface IdentityFlags {
  admin: string;
  json?: boolean;
}

/** `host:port` → its parts; a bare port means 127.0.0.1. */
export function parseAdminAddress(text: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new UsageError(`identity: --admin: expected host:port (e.g. 127.0.0.1:15000) (got '${text}')`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

function get(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within 5 s`)));
    req.on('error', reject);
  });
}

/** The text `meshform identity` prints. */
export function formatIdentity(s: IdentitySummary): string {
  const rows: [string, string][] = [
    ['SPIFFE ID', s.spiffe_id],
    ['Serial', s.serial_number],
    ['Issuer', s.issuer],
    ['Root', s.root_subject],
    ['Valid from', s.valid_from],
    ['Valid until', `${s.expiration_time} (${s.days_until_expiration} days)`],
    ['Next rotation', s.next_rotation ?? 'unknown'],
  ];
  return rows.map(([k, v]) => `${`${k}:`.padEnd(15)}${v}\n`).join('');
}

export function identityCommand(context: CliContext): Command {
  return new Command('identity')
    .description("print the workload identity (SPIFFE ID, issuer, validity, next rotation) of a running proxy")
    .requiredOption('--admin <host:port>', "the proxy's admin address (e.g. 127.0.0.1:15000)")
    .option('--json', 'print the admin endpoint\'s JSON as is')
    .action(async (opts: IdentityFlags) => {
      const { host, port } = parseAdminAddress(opts.admin);
      let reply: { status: number; body: string };
      try {
        reply = await get(host, port, '/identity');
      } catch (e) {
        context.io.err(`meshform identity: cannot reach the proxy admin at ${host}:${port}: ${(e as Error).message}\n`);
        context.exitCode = EXIT_FAILURE;
        return;
      }
      if (reply.status !== 200) {
        context.io.err(`meshform identity: ${host}:${port}/identity answered ${reply.status}: ${reply.body.trim()}\n`);
        context.exitCode = EXIT_FAILURE;
        return;
      }
      const summary = JSON.parse(reply.body) as IdentitySummary;
      context.io.out(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatIdentity(summary));
    });
}
