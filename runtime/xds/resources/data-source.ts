/** `core.v3.DataSource`: bytes given inline, or a file the proxy reads. */
import type { Message } from './private/reader';

export type DataSource = { readonly kind: 'inline'; readonly value: Buffer } | { readonly kind: 'file'; readonly path: string };

/** Reads a DataSource; `allowFile: false` rejects `filename` (content the control plane must send itself). */
export function decodeDataSource(m: Message, options: { readonly allowFile?: boolean } = {}): DataSource | undefined {
  const kind = m.oneof(['inline_bytes', 'inline_string', 'filename', 'environment_variable'] as const, { required: true });
  switch (kind) {
    case 'inline_string': {
      const v = m.string('inline_string');
      return v === undefined ? undefined : { kind: 'inline', value: Buffer.from(v, 'utf8') };
    }
    case 'inline_bytes': {
      const v = m.raw('inline_bytes');
      if (v instanceof Uint8Array) return { kind: 'inline', value: Buffer.from(v) };
      if (typeof v === 'string') return { kind: 'inline', value: Buffer.from(v, 'base64') };
      m.error('inline_bytes', 'expected bytes (a base64 string)');
      return undefined;
    }
    case 'filename': {
      if (options.allowFile === false) {
        m.error('filename', 'file data sources are not supported here (send the content inline)');
        return undefined;
      }
      const path = m.string('filename', { required: true });
      return path === undefined ? undefined : { kind: 'file', path };
    }
    case 'environment_variable':
      m.error('environment_variable', 'is not supported');
      return undefined;
    default:
      return undefined;
  }
}
