/**
 * One manifest handed to the analysis, with where it came from.
 *
 * `source` is what findings are reported against: a construct path
 * (`bookinfo/reviews/virtual-service`) at synth time, or a file position such as
 * `bookinfo.yaml#2 (VirtualService default/reviews)` when YAML files are analyzed.
 */
export interface ManifestInput {
  /** The manifest as a plain JSON object (anything else is ignored by the rules). */
  readonly object: unknown;
  /** Where the manifest came from. */
  readonly source: string;
}
