import { App } from 'cdk8s';
import { asManifest, describeManifest, KubeManifest, manifestKey } from './manifest';

/**
 * A stack definition: the function that populates a cdk8s `App` with charts.
 * The same function serves `cdk8s synth` (then `app.synth()` writes YAML) and
 * `pulumi up` (then {@link synthInMemory} hands the objects to Pulumi).
 */
export type StackDefinition = (app: App) => void;

/**
 * Runs a stack definition against a fresh `App` and returns every object of
 * every chart, in the app's chart order and each chart's dependency order.
 * Nothing is written to disk.
 *
 * `chart.toJson()` prepares the app exactly as `app.synth()` does: it resolves
 * the implicit construct dependencies and runs every construct's validations
 * (`node.validate()`), throwing cdk8s's own "Validation failed" error. So a
 * definition that fails `cdk8s synth` fails here too, before any Pulumi
 * resource exists.
 */
export function synthInMemory(define: StackDefinition): KubeManifest[] {
  const app = new App();
  define(app);
  const charts = app.charts;
  if (charts.length === 0) {
    throw new Error('MeshStack: the stack definition added no chart to the app (expected e.g. `app => new BookinfoChart(app, "bookinfo")`)');
  }
  const manifests: KubeManifest[] = [];
  const seen = new Map<string, string>();
  for (const chart of charts) {
    const where = chart.node.path;
    for (const obj of chart.toJson() as unknown[]) {
      const m = asManifest(obj, where);
      const key = manifestKey(m);
      const first = seen.get(key);
      if (first !== undefined) {
        throw new Error(`${where}: ${describeManifest(m)} is synthesized twice (also by chart ${first}); each object must come from one construct`);
      }
      seen.set(key, where);
      manifests.push(m);
    }
  }
  return manifests;
}
