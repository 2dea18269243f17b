/**
 * `meshform start` (what `npm start` runs): synthesizes the bookinfo sample with
 * the bundled app, lints the result with the same rules as `meshform analyze`,
 * and says what was generated and where to go next.
 */
import { Command } from 'commander';
import { analyzeFiles, formatReport } from './analyze-command';
import { CliContext, EXIT_FAILURE } from './cli-context';
import { BUNDLED_APP, formatSummary, synthesize } from './synth-command';

export function startCommand(context: CliContext): Command {
  return new Command('start')
    .description('synthesize the bundled bookinfo mesh into dist/ and check it')
    .option('-o, --output <dir>', 'where to write the manifests', 'dist')
    .option('-c, --context <key=value>', 'a context value, e.g. scenario=split-50 (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .action((opts: { output: string; context: string[] }) => {
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
        `  kubectl apply -f ${opts.output}/           deploy to a cluster (bundled control plane included)`,
        `  npx meshform analyze ${opts.output}        lint these (or any Istio) manifests`,
        '  npm start -- --context scenario=split-50   another bookinfo scenario (all-v1, jason-v2, split-50, ratings-delay)',
        '',
      ].join('\n'));
    });
}
