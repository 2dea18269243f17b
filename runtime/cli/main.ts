/**
 * The `meshform` command: wiring only. Each subcommand lives in its own
 * `<name>-command.ts` and exports `(context: CliContext) => Command`.
 */
import { Command, CommanderError } from 'commander';
import { CliContext, CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROCESS_IO, UsageError } from './cli-context';
import { applyProxyV8Flags } from './proxy-v8-flags';
import { packageVersion } from './version';

/** A subcommand by name, its module loaded only when it is needed. */
interface SubcommandEntry {
  readonly name: string;
  readonly load: () => Promise<(context: CliContext) => Command>;
  /** Tunes this process (V8 flags) before the module loads; only when `main` runs as the process (no `io`). */
  readonly prepare?: () => void;
}

/**
 * The subcommands, in the order `--help` lists them. Each module is loaded on
 * demand: `meshform proxy` must not pay (in start time and resident memory) for
 * the synthesis, analysis, control-plane and Pulumi code it never runs.
 */
const SUBCOMMANDS: readonly SubcommandEntry[] = [
  { name: 'start', load: async () => (await import('./start-command')).startCommand },
  { name: 'up', load: async () => (await import('./up-command')).upCommand },
  { name: 'synth', load: async () => (await import('./synth-command')).synthCommand },
  { name: 'analyze', load: async () => (await import('./analyze-command')).analyzeCommand },
  { name: 'control-plane', load: async () => (await import('./control-plane-command')).controlPlaneCommand },
  { name: 'proxy', load: async () => (await import('./proxy-command')).proxyCommand, prepare: applyProxyV8Flags },
  { name: 'sample', load: async () => (await import('./sample-command')).sampleCommand },
  { name: 'identity', load: async () => (await import('./identity-command')).identityCommand },
];

/**
 * The subcommands to register for `argv`: only the named one when the first
 * argument names a subcommand (root options come before it and all start with
 * `-`), else all of them (root `--help`, `help <cmd>`, typos: commander lists them).
 */
export function subcommandsFor(argv: readonly string[]): readonly string[] {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = SUBCOMMANDS.find((s) => s.name === first);
  return named !== undefined ? [named.name] : SUBCOMMANDS.map((s) => s.name);
}

/**
 * Runs `meshform` with `argv` (the arguments after the program name) and resolves
 * to its exit code: 0 success, 1 failure (e.g. analysis errors), 2 usage error.
 * Without `io` it writes to the process's streams and sets `process.exitCode`;
 * with `io` (tests) it touches neither.
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  const context: CliContext = { io: io ?? PROCESS_IO, exitCode: EXIT_OK };
  const program = new Command('meshform')
    .description('a service mesh you write in TypeScript')
    .version(packageVersion())
    // Root options only before the subcommand, so `meshform sample reviews --version v2` reaches the subcommand.
    .enablePositionalOptions();
  const wanted = subcommandsFor(argv);
  for (const entry of SUBCOMMANDS) {
    if (!wanted.includes(entry.name)) continue;
    if (!io && wanted.length === 1) entry.prepare?.();
    const command = (await entry.load())(context);
    if (command.name() !== entry.name) throw new Error(`subcommand table: '${entry.name}' loads '${command.name()}'`);
    program.addCommand(command);
  }
  configure(program, context.io);

  let code: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = context.exitCode;
  } catch (e) {
    code = exitCodeOf(e, context.io);
  }
  if (!io) process.exitCode = code;
  return code;
}

/** Routes commander's output to `io` and makes it throw instead of exiting, on every command. */
function configure(command: Command, io: CliIo): void {
  command.exitOverride().configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  for (const sub of command.commands) configure(sub, io);
}

function exitCodeOf(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // commander has printed its message already.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.err(`meshform: ${error.message}\n`);
    return EXIT_USAGE;
  }
  io.err(`meshform: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILURE;
}
