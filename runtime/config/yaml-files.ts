/**
 * Reading Kubernetes manifests from YAML: a directory (every `*.yaml`/`*.yml`
 * below it) or files, each file a stream of documents. Every document comes back
 * tagged with its file and position, so whoever reports on it can say where it is
 * (`bookinfo.yaml#2 (VirtualService default/reviews)`). Used by `meshform analyze`
 * and by the control plane's file source.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** One non-empty document of a YAML file. */
export interface YamlDocument {
  /** The file, as given or joined onto the directory given. */
  readonly file: string;
  /** Position in the file's document stream, from 1 (empty documents count but are not returned). */
  readonly index: number;
  /** Line (from 1) where the document's content starts. */
  readonly line: number;
  /** The parsed document. */
  readonly object: unknown;
}

/** A file that cannot be found, read or parsed; the message names the file (and line). */
export class ManifestFileError extends Error {
  public constructor(
    message: string,
    /** The offending file or path. */
    public readonly file: string,
    /** Line (from 1) of a parse error. */
    public readonly line?: number,
    /** Column (from 1) of a parse error. */
    public readonly column?: number,
  ) {
    super(message);
    this.name = 'ManifestFileError';
  }
}

const YAML_EXTENSIONS = ['.yaml', '.yml'];

/**
 * The files named by `paths`: a file as is (whatever its extension), a directory
 * as every `*.yaml`/`*.yml` file below it, recursively and in name order (hidden
 * directories such as `.git` are skipped). Throws {@link ManifestFileError} for a
 * path that does not exist.
 */
export function findYamlFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      throw new ManifestFileError(`${p}: ${describeIoError(e)}`, p);
    }
    if (stat.isDirectory()) files.push(...walk(p));
    else files.push(p);
  }
  return [...new Set(files)];
}

function walk(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new ManifestFileError(`${dir}: ${describeIoError(e)}`, dir);
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) out.push(...walk(full));
    } else if (YAML_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
      out.push(full);
    }
  }
  return out;
}

/**
 * The non-empty documents of `text`, read as `file`. Throws {@link ManifestFileError}
 * naming the file and line when the YAML does not parse.
 */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  let events: yaml.Event[];
  let documents: unknown[];
  try {
    // What yaml.loadAll does, in its two steps, so the events also give each document's line.
    events = yaml.parseEvents(text, { filename: file });
    documents = yaml.constructFromEvents(events, { source: text, filename: file });
  } catch (e) {
    if (e instanceof yaml.YAMLException && e.mark) {
      const line = e.mark.line + 1;
      const column = e.mark.column + 1;
      throw new ManifestFileError(`${file}:${line}:${column}: ${e.reason}`, file, line, column);
    }
    throw new ManifestFileError(`${file}: ${e instanceof Error ? e.message : String(e)}`, file);
  }
  const starts = documentStarts(events);
  const lineOf = lineCounter(text);
  const out: YamlDocument[] = [];
  documents.forEach((object, i) => {
    if (object === null || object === undefined) return;
    out.push({ file, index: i + 1, line: lineOf(starts[i] ?? 0), object });
  });
  return out;
}

/** Offset of the root node of each document. */
function documentStarts(events: readonly yaml.Event[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i < events.length; i++) {
    if (events[i].type !== yaml.EVENT_ID.DOCUMENT) continue;
    const root = events[i + 1];
    let start = -1;
    if (root?.type === yaml.EVENT_ID.MAPPING || root?.type === yaml.EVENT_ID.SEQUENCE) start = root.start;
    else if (root?.type === yaml.EVENT_ID.SCALAR) start = root.valueStart;
    starts.push(Math.max(start, 0));
  }
  return starts;
}

function lineCounter(text: string): (offset: number) => number {
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i);
  return (offset) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

/** The documents of one file. Throws {@link ManifestFileError} when it cannot be read or parsed. */
export function readYamlFile(file: string): YamlDocument[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ManifestFileError(`${file}: ${describeIoError(e)}`, file);
  }
  return parseYamlDocuments(text, file);
}

/** The documents of every file named by `paths` (see {@link findYamlFiles}), file by file. */
export function readYamlFiles(paths: readonly string[]): YamlDocument[] {
  return findYamlFiles(paths).flatMap(readYamlFile);
}

/**
 * How a manifest is named in messages: `VirtualService default/reviews`
 * (`Namespace istio-system` for objects without a namespace of their own kind).
 * @param defaultNamespace shown for namespaced objects that name none.
 */
export function describeManifest(object: unknown, defaultNamespace = 'default'): string {
  const record = typeof object === 'object' && object !== null && !Array.isArray(object)
    ? (object as Record<string, unknown>)
    : undefined;
  const kind = typeof record?.kind === 'string' ? record.kind : undefined;
  if (!kind) return 'document without kind';
  const metadata = typeof record?.metadata === 'object' && record.metadata !== null
    ? (record.metadata as Record<string, unknown>)
    : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '<no name>';
  if (typeof metadata.namespace === 'string') return `${kind} ${metadata.namespace}/${name}`;
  return CLUSTER_SCOPED_KINDS.has(kind) ? `${kind} ${name}` : `${kind} ${defaultNamespace}/${name}`;
}

/** `bookinfo.yaml#2 (VirtualService default/reviews)`: a document's place and identity. */
export function documentSource(document: YamlDocument, defaultNamespace = 'default'): string {
  return `${document.file}#${document.index} (${describeManifest(document.object, defaultNamespace)})`;
}

/** Kinds that live outside namespaces, shown without one. */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterRole',
  'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'PriorityClass',
  'IngressClass', 'APIService', 'GatewayClass', 'RuntimeClass', 'CSIDriver',
]);

function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}
