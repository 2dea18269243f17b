/** How serious a finding is: errors fail synthesis and `meshform analyze`; warnings only print. */
export type FindingLevel = 'error' | 'warning';

/**
 * One problem found by a rule.
 *
 * Example: `{ level: 'error', rule: 'IST0101', source: 'bookinfo/reviews/virtual-service',
 * field: 'spec.http[0].route[0].destination.subset', message: 'VirtualService default/reviews: ...' }`.
 */
export interface Finding {
  readonly level: FindingLevel;
  /** The rule's code: Istio's analyzer code where one exists (`IST0101`), else a meshform code (`MF0001`). */
  readonly rule: string;
  /** The `source` of the offending manifest (construct path or file position). */
  readonly source: string;
  /** Path of the offending field inside the manifest, e.g. `spec.http[0].route`. */
  readonly field: string;
  /** What is wrong: names the object and says what was expected and what was found. */
  readonly message: string;
}

/** Renders a finding as `<source>: <field>: <message>`, the form synthesis errors take. */
export function formatFinding(finding: Finding): string {
  return finding.field ? `${finding.source}: ${finding.field}: ${finding.message}` : `${finding.source}: ${finding.message}`;
}
