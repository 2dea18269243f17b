/**
 * `meshform start` (what `npm start` runs): a newcomer's first five minutes.
 * Synthesizes the bookinfo sample with the bundled app, prints what was
 * generated and the analysis (the same rules as `meshform analyze`), then runs
 * the whole mesh on this machine as `meshform up` does, until Ctrl-C.
 * `--synth-only` stops after the analysis and says where to go next.
 */
import { Command } from 'commander';
import { analyzeFiles, formatReport } from './analyze-command';
import { CliContext, EXIT_FAILURE } from './cli-context';
import { BUNDLED_APP, formatSummary, synthesize } from './synth-command';
import { runUp } from './up-command';

interface StartFlags {
  output: string;
  context: string[];
  synthOnly?: boolean;
  stateDir?: string;
}

export function startCommand(context: CliContext): Command {
  return new Command('start')
    .description('synthesize the bundled bookinfo mesh into dist/, check it, and run it on this machine (meshform up)')
    .option('-o, --output <dir>', 'where to write the manifests', 'dist')
    .option('-c, --context <key=value>', 'a context value, e.g. scenario=split-50 (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--synth-only', 'stop after synthesis and analysis (no local mesh)')
    .option('--state-dir <dir>', 'where the local mesh keeps its served config and logs (default: .meshform/local)')
    .action(async (opts: StartFlags) => {
      if (!opts.synthOnly) {
        await runUp({ app: BUNDLED_APP, output: opts.output, context: opts.context, stateDir: opts.stateDir }, context);
        return;
      }
      const { io } = context;
      const result = synthesize({ app: BUNDLED_APP, output: opts.output, context: opts.context });
      if (result.output) io.err(result.output);
      io.out(formatSummary(result.files));
      const report = analyzeFiles(result.files);
      io.out(`\nAnalysis: ${formatReport(report)}`);
      if (report.errors > 0) {
        context.exitCode = EXIT_FAILURE;
        return;
      }
      io.out([
        '',
        'Next:',
        '  npm start                                  run the whole mesh on this machine',
        `  kubectl apply -f ${opts.output}/           deploy to a cluster (bundled control plane included)`,
        `  npx meshform analyze ${opts.output}        lint these (or any Istio) manifests`,
        '  npm start -- --context scenario=split-50   another bookinfo scenario (all-v1, jason-v2, split-50, ratings-delay)',
        '',
      ].join('\n'));
    });
}
