/**
 * What every `meshform` subcommand gets from `main`: where to write, and where to
 * leave its exit code. Each subcommand lives in its own file and exports a
 * function `(context: CliContext) => Command` that `main.ts` adds to the program.
 */

/** Output streams of the command; tests pass their own to capture output. */
export interface CliIo {
  /** Writes to standard output (text is written as given: end lines with `\n`). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
}

/** Shared by the subcommands of one `main()` call. */
export interface CliContext {
  readonly io: CliIo;
  /** The process exit code `main()` returns: 0 success, 1 failure found (e.g. analysis errors), 2 usage error. */
  exitCode: number;
}

/** Exit codes of `meshform`. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * A mistake in how the command was called (missing or unreadable path, a file that
 * does not parse). `main` prints the message and exits with {@link EXIT_USAGE}.
 */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Standard output and error of the process. */
export const PROCESS_IO: CliIo = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};
