import { AnalysisContext, AnalysisOptions } from './context';
import { Finding } from './finding';
import { ManifestInput } from './manifest-input';
import { AnalysisRule } from './rule';
import { ALL_RULES } from './rules';

/** Settings of {@link analyzeManifests}. */
export interface AnalyzeOptions extends AnalysisOptions {
  /**
   * The rules to run.
   * @default ALL_RULES
   */
  readonly rules?: readonly AnalysisRule[];
  /**
   * Rule codes whose findings are dropped (`['IST0118']`), as `istioctl analyze --suppress`.
   * @default - none
   */
  readonly suppress?: readonly string[];
}

/** Code of the finding reported when a rule itself fails (a bug in the rule, not in the manifests). */
export const INTERNAL_ERROR_RULE = 'IST0001';

/**
 * Runs the rules over `inputs` and returns their findings, ordered as the
 * offending manifests were given (findings of one manifest in rule order).
 */
export function analyzeManifests(inputs: readonly ManifestInput[], options: AnalyzeOptions = {}): Finding[] {
  const context = new AnalysisContext(inputs, options);
  const suppressed = new Set(options.suppress ?? []);
  const findings: Finding[] = [];
  for (const rule of options.rules ?? ALL_RULES) {
    if (suppressed.has(rule.id)) continue;
    try {
      findings.push(...rule.check(context));
    } catch (e) {
      findings.push({
        level: 'error',
        rule: INTERNAL_ERROR_RULE,
        source: rule.name,
        field: '',
        message: `rule ${rule.id} ${rule.name} failed: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  const order = new Map<string, number>();
  inputs.forEach((input, i) => { if (!order.has(input.source)) order.set(input.source, i); });
  return findings
    .map((finding, i) => ({ finding, i, at: order.get(finding.source) ?? -1 }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.finding);
}
