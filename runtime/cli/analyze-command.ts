/**
 * `meshform analyze <dir|files...>`: the synth-time rules run over YAML the user
 * already has, plus schema validation of every Istio object — like
 * `istioctl analyze`, without a cluster.
 */
import { Command, Option } from 'commander';
import { analyzeManifests, Finding, NETWORKING_GROUP, SECURITY_GROUP } from '../../constructs/analysis';
import { findKind } from '../../constructs/api/kinds';
import { validateObject } from '../../constructs/api/validate';
import {
  describeManifest, documentSource, findYamlFiles, ManifestFileError, readYamlFile, YamlDocument,
} from '../config/yaml-files';
import { CliContext, CliIo, EXIT_FAILURE, EXIT_OK, UsageError } from './cli-context';

/** Code of schema errors, as Istio's SchemaValidationError. */
export const SCHEMA_RULE = 'IST0106';

/** Settings of {@link runAnalyze}. */
export interface AnalyzeCommandOptions {
  /** @default 'text' */
  readonly output?: 'text' | 'json';
  /** Rule codes whose findings are dropped. @default - none */
  readonly suppress?: readonly string[];
  /** Istio's root namespace. @default 'istio-system' */
  readonly rootNamespace?: string;
}

/** One finding with the document it is about. */
export interface FileFinding extends Finding {
  readonly file: string;
  /** Position of the document in the file, from 1. */
  readonly document: number;
  /** Line (from 1) where the document starts. */
  readonly line: number;
  /** `VirtualService default/reviews`. */
  readonly object: string;
}

/** What an analysis of files found. */
export interface AnalyzeReport {
  readonly files: readonly string[];
  readonly objects: number;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly FileFinding[];
}

/** The `analyze` subcommand. */
export function analyzeCommand(context: CliContext): Command {
  return new Command('analyze')
    .description('check Istio and Kubernetes manifests for mistakes istioctl analyze finds only after deploy')
    .argument('<paths...>', 'YAML files, or directories searched recursively for *.yaml and *.yml')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--suppress <codes>', 'drop findings of these rule codes, comma-separated or repeated (e.g. IST0118,MF0004)', collectCodes)
    .option('--root-namespace <namespace>', "Istio's root namespace (mesh-wide policies)", 'istio-system')
    .action((paths: string[], opts: { output: 'text' | 'json'; suppress?: string[]; rootNamespace: string }) => {
      context.exitCode = runAnalyze(paths, opts, context.io);
    });
}

function collectCodes(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((c) => c.trim()).filter((c) => c.length > 0)];
}

/**
 * Analyzes the YAML under `paths`, prints the report to `io` and returns the exit
 * code: 1 when there are errors, 0 otherwise. Throws {@link UsageError} for a
 * missing, unreadable or unparsable file.
 */
export function runAnalyze(paths: readonly string[], options: AnalyzeCommandOptions, io: CliIo): number {
  const report = analyzeFiles(paths, options);
  io.out(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.errors > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Reads, validates and analyzes the YAML under `paths`. */
export function analyzeFiles(paths: readonly string[], options: AnalyzeCommandOptions = {}): AnalyzeReport {
  let files: string[];
  const documents: YamlDocument[] = [];
  try {
    files = findYamlFiles(paths);
    for (const file of files) documents.push(...readYamlFile(file));
  } catch (e) {
    if (e instanceof ManifestFileError) throw new UsageError(e.message);
    throw e;
  }
  const bySource = new Map<string, YamlDocument>();
  const inputs = documents.map((doc) => {
    const source = documentSource(doc);
    bySource.set(source, doc);
    return { object: doc.object, source };
  });

  const suppressed = new Set(options.suppress ?? []);
  const findings: Finding[] = [];
  if (!suppressed.has(SCHEMA_RULE)) {
    for (const input of inputs) findings.push(...schemaFindings(input.object, input.source));
  }
  findings.push(...analyzeManifests(inputs, { suppress: options.suppress, rootNamespace: options.rootNamespace }));

  const fileFindings = findings.map((f): FileFinding => {
    const doc = bySource.get(f.source);
    return {
      ...f,
      file: doc?.file ?? f.source,
      document: doc?.index ?? 0,
      line: doc?.line ?? 0,
      object: doc ? describeManifest(doc.object) : '',
    };
  });
  const order = new Map(files.map((f, i) => [f, i]));
  fileFindings.sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.document - b.document);
  return {
    files,
    objects: documents.length,
    errors: fileFindings.filter((f) => f.level === 'error').length,
    warnings: fileFindings.filter((f) => f.level === 'warning').length,
    findings: fileFindings,
  };
}

/**
 * Schema findings for one document: not a Kubernetes object at all, or an Istio
 * object that fails its kind's schema. Istio kinds meshform does not model
 * (EnvoyFilter, Telemetry, ...) get a warning that they were not checked.
 */
function schemaFindings(object: unknown, source: string): Finding[] {
  const record = typeof object === 'object' && object !== null && !Array.isArray(object)
    ? (object as Record<string, unknown>)
    : undefined;
  const apiVersion = typeof record?.apiVersion === 'string' ? record.apiVersion : undefined;
  const kind = typeof record?.kind === 'string' ? record.kind : undefined;
  const ref = describeManifest(object);
  if (!apiVersion || !kind) {
    return [{ level: 'error', rule: SCHEMA_RULE, source, field: apiVersion ? 'kind' : 'apiVersion',
      message: `${ref}: not a Kubernetes object: expected apiVersion and kind strings` }];
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group !== NETWORKING_GROUP && group !== SECURITY_GROUP) return [];
  if (!findKind(apiVersion, kind)) {
    return [{ level: 'warning', rule: SCHEMA_RULE, source, field: 'kind',
      message: `${ref}: ${kind} in ${apiVersion} is not a kind meshform knows, so it was not schema-checked` }];
  }
  const result = validateObject(object);
  if (result.ok) return [];
  return result.errors.map((error) => {
    const colon = error.indexOf(': ');
    const field = colon > 0 && !error.slice(0, colon).includes(' ') ? error.slice(0, colon) : '';
    const text = field ? error.slice(colon + 2) : error;
    return { level: 'error', rule: SCHEMA_RULE, source, field, message: `${ref}: ${text}` };
  });
}

/** The text report: findings grouped per file, then a summary line. */
export function formatReport(report: AnalyzeReport): string {
  const lines: string[] = [];
  let file: string | undefined;
  for (const f of report.findings) {
    if (f.file !== file) {
      if (file !== undefined) lines.push('');
      file = f.file;
      lines.push(`${file}:`);
    }
    const where = f.document ? `${f.file}#${f.document} ${f.object}` : f.source;
    const message = f.object && f.message.startsWith(`${f.object}: `) ? f.message.slice(f.object.length + 2) : f.message;
    lines.push(`  ${f.level.padEnd(7)}  ${f.rule}  ${where}  ${f.field ? `${f.field}: ` : ''}${message}`);
  }
  if (lines.length > 0) lines.push('');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const scope = `${plural(report.objects, 'object')} in ${plural(report.files.length, 'file')}`;
  lines.push(report.findings.length === 0
    ? `No issues found in ${scope}.`
    : `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')} in ${scope}.`);
  return `${lines.join('\n')}\n`;
}
