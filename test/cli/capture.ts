import { CliIo } from '../../runtime/cli/cli-context';
import { main } from '../../runtime/cli/main';

/** What one in-process `meshform` run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `main(argv)` in-process with its output captured. */
export async function runCli(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (t) => { stdout += t; }, err: (t) => { stderr += t; } };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
