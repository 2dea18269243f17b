import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { analyzeManifests, AnalyzeOptions } from './analyze';
import { Finding, formatFinding } from './finding';
import { ManifestInput } from './manifest-input';
import { analysisView } from './private/analysis-view';

/** Where warnings go; errors fail synthesis instead. @default - written to stderr */
export type WarningSink = (line: string) => void;

/** Settings of {@link MeshAnalysis.attach}. */
export interface MeshAnalysisOptions extends AnalyzeOptions {
  /**
   * Receives each warning once, as `warning <rule> <path>: <field>: <message>`.
   * @default - written to process.stderr
   */
  readonly onWarning?: WarningSink;
}

const ATTACHED = new WeakMap<IConstruct, MeshAnalysis>();

/**
 * Synth-time analysis of a whole construct tree: what `istioctl analyze` finds
 * only after deploy, caught by `cdk8s synth`.
 *
 * `MeshAnalysis.attach(scope)` adds one validation to the root of `scope`'s tree
 * (the cdk8s `App`, whose `synth()` runs validations and throws). The validation
 * renders every `ApiObject` of the tree, runs the rules, prints warnings and
 * returns the errors as `<construct path>: <field>: <message>`.
 */
export class MeshAnalysis {
  /**
   * Attaches the analysis to the root of `scope`'s construct tree; later calls
   * for the same tree return the same instance (their options are merged in).
   */
  public static attach(scope: IConstruct, options: MeshAnalysisOptions = {}): MeshAnalysis {
    const root = scope.node.root;
    const existing = ATTACHED.get(root);
    if (existing) {
      existing.options = { ...existing.options, ...options };
      return existing;
    }
    const analysis = new MeshAnalysis(root, options);
    ATTACHED.set(root, analysis);
    root.node.addValidation({ validate: () => analysis.validate() });
    return analysis;
  }

  /** The analysis attached to `scope`'s tree, if any. */
  public static of(scope: IConstruct): MeshAnalysis | undefined {
    return ATTACHED.get(scope.node.root);
  }

  private readonly printed = new Set<string>();

  private constructor(
    /** The root of the analyzed tree. */
    public readonly root: IConstruct,
    private options: MeshAnalysisOptions,
  ) {}

  /** Every `ApiObject` of the tree rendered to JSON, with its construct path as source. */
  public manifests(): ManifestInput[] {
    const inputs: ManifestInput[] = [];
    for (const construct of this.root.node.findAll()) {
      if (!ApiObject.isApiObject(construct)) continue;
      let object: unknown;
      try {
        object = construct.toJson();
      } catch {
        continue; // the object's own validation reports why it cannot render
      }
      inputs.push({ object, source: construct.node.path });
    }
    return inputs;
  }

  /** Runs the rules over the tree as it is now. */
  public analyze(): Finding[] {
    // The built-in rules read only part of most manifests (see analysisView); custom
    // rules may read anything, so they get every manifest rendered in full.
    const inputs = this.options.rules ? this.manifests() : this.views();
    return analyzeManifests(inputs, this.options);
  }

  /** Every `ApiObject` of the tree rendered as far as the built-in rules read it. */
  private views(): ManifestInput[] {
    const inputs: ManifestInput[] = [];
    for (const construct of this.root.node.findAll()) {
      if (!ApiObject.isApiObject(construct)) continue;
      let object: unknown;
      try {
        object = analysisView(construct);
      } catch {
        continue; // the object's own validation reports why it cannot render
      }
      inputs.push({ object, source: construct.node.path });
    }
    return inputs;
  }

  private validate(): string[] {
    const findings = this.analyze();
    const sink = this.options.onWarning ?? ((line: string) => process.stderr.write(`${line}\n`));
    for (const warning of findings.filter((f) => f.level === 'warning')) {
      const line = `warning ${warning.rule} ${formatFinding(warning)}`;
      if (this.printed.has(line)) continue;
      this.printed.add(line);
      sink(line);
    }
    return findings.filter((f) => f.level === 'error').map(formatFinding);
  }
}
