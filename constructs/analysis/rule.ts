import { AnalysisContext } from './context';
import { Finding, FindingLevel } from './finding';
import { ManifestObject } from './manifest-object';

/**
 * One check over the whole set of manifests. Each rule lives in its own file under
 * `rules/` and is listed in `ALL_RULES`.
 */
export interface AnalysisRule {
  /** Istio's analyzer code where one exists (`IST0101`), else a meshform code (`MF0001`). */
  readonly id: string;
  /** A short name, unique among the rules (`destination-subset-not-found`). */
  readonly name: string;
  /** One sentence: what the rule catches. */
  readonly description: string;
  /** The findings for `context`; never throws on malformed manifests. */
  check(context: AnalysisContext): Finding[];
}

/** Builds a finding of `rule` against `object`. */
export function findingOf(
  rule: Pick<AnalysisRule, 'id'>,
  level: FindingLevel,
  object: ManifestObject,
  field: string,
  message: string,
): Finding {
  return { level, rule: rule.id, source: object.source, field, message };
}
