/**
 * A piece of configuration the store refused: an invalid object, or a file that
 * does not parse. The message names file, document, kind, namespace/name and
 * field, and says whether a last good version is still served.
 */

export interface ConfigProblem {
  readonly source: string;
  readonly file?: string;
  /** Document index in the file, from 1; absent for a whole-file problem (parse error). */
  readonly index?: number;
  /** Line of a parse error, from 1. */
  readonly line?: number;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Field-path-prefixed errors: `spec.http[0].route[0].weight: expected integer <= 100, got 150`. */
  readonly errors: readonly string[];
  /** Whether a previous good version (of the object, or of the file's objects) keeps being served. */
  readonly keptLastGood: boolean;
  /** One line per error, each naming where and what. */
  readonly message: string;
}

/** Builds a problem with its message. */
export function configProblem(props: Omit<ConfigProblem, 'message'>): ConfigProblem {
  const where = props.file !== undefined ? `${props.file}${props.index !== undefined ? `#${props.index}` : ''}` : props.source;
  const what = props.kind !== undefined ? ` (${props.kind} ${props.namespace ?? '?'}/${props.name ?? '<no name>'})` : '';
  const kept = props.keptLastGood
    ? props.index === undefined ? ' [previous objects of this file kept]' : ' [last good version kept]'
    : '';
  const message = props.errors.map((e) => `${where}${what}: ${e}${kept}`).join('\n');
  return { ...props, message };
}
