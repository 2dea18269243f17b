/**
 * The `meshform` command: wiring only. Each subcommand lives in its own
 * `<name>-command.ts` and exports `(context: CliContext) => Command`.
 */
import { Command, CommanderError } from 'commander';
import { analyzeCommand } from './analyze-command';
import { controlPlaneCommand } from './control-plane-command';
import { proxyCommand } from './proxy-command';
import { startCommand } from './start-command';
import { sampleCommand } from './sample-command';
import { synthCommand } from './synth-command';
import { upCommand } from './up-command';
import { CliContext, CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROCESS_IO, UsageError } from './cli-context';
import { packageVersion } from './version';

/** The subcommands, in the order `--help` lists them. */
const SUBCOMMANDS: ReadonlyArray<(context: CliContext) => Command> = [
  startCommand,
  upCommand,
  synthCommand,
  analyzeCommand,
  controlPlaneCommand,
  proxyCommand,
  sampleCommand,
];

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
  for (const make of SUBCOMMANDS) program.addCommand(make(context));
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
