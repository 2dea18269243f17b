import { App } from 'cdk8s';

/**
 * The environment variable through which `meshform synth --context k=v` (and
 * `meshform up`) hand context values to a cdk8s app, as a JSON object.
 */
export const CONTEXT_ENV = 'MESHFORM_CONTEXT';

/**
 * Applies the context handed over in {@link CONTEXT_ENV} to `app`, so constructs
 * read it with `this.node.tryGetContext(key)`. Call it before adding charts.
 */
export function applyContext(app: App, json: string | undefined = process.env[CONTEXT_ENV]): void {
  if (json === undefined || json.trim() === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new Error(`${CONTEXT_ENV}: expected a JSON object of context values, got ${JSON.stringify(json)} (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${CONTEXT_ENV}: expected a JSON object of context values, got ${json}`);
  }
  for (const [key, value] of Object.entries(parsed)) app.node.setContext(key, value);
}

/** Parses `key=value` pairs (as given to `--context`) into a context object. */
export function parseContextPairs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--context: expected key=value, got ${JSON.stringify(pair)}`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}
