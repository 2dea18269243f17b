/** Headers added and removed on requests and responses (route configurations, virtual hosts, routes, weighted clusters). */
import type { Message } from './private/reader';

export type HeaderAppendAction = 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';

export interface HeaderToAdd {
  /** Lower-cased header name. */
  readonly name: string;
  readonly value: string;
  readonly action: HeaderAppendAction;
  /** Whether to skip adding the header when `value` is empty. */
  readonly keepEmptyValue: boolean;
}

export interface HeaderOperations {
  readonly requestHeadersToAdd: readonly HeaderToAdd[];
  readonly requestHeadersToRemove: readonly string[];
  readonly responseHeadersToAdd: readonly HeaderToAdd[];
  readonly responseHeadersToRemove: readonly string[];
}

export const NO_HEADER_OPERATIONS: HeaderOperations = Object.freeze({
  requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [],
});

const ACTIONS: readonly HeaderAppendAction[] = ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'];
/** Pseudo-headers and Host cannot be changed through header operations (Envoy rejects them). */
const PROTECTED = /^(:.*|host)$/i;

function headerToAdd(m: Message): HeaderToAdd | undefined {
  const header = m.message('header', { required: true });
  const name = header?.string('key', { required: true });
  const value = header?.string('value') ?? '';
  if (header?.has('raw_value')) header.error('raw_value', 'is not supported (use value)');
  let action = m.enumOf('append_action', ACTIONS, 'APPEND_IF_EXISTS_OR_ADD');
  if (m.has('append')) {
    if (m.has('append_action')) m.error('append', 'cannot be set together with append_action');
    else action = m.bool('append', true) ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD';
  }
  const keepEmptyValue = m.bool('keep_empty_value', false);
  if (name === undefined) return undefined;
  if (PROTECTED.test(name)) {
    header?.error('key', `cannot modify '${name}' (pseudo-headers and host are protected)`);
    return undefined;
  }
  return { name: name.toLowerCase(), value, action, keepEmptyValue };
}

function removals(m: Message, field: string): string[] {
  const names = m.strings(field, { nonEmpty: true });
  names.forEach((n, i) => {
    if (PROTECTED.test(n)) m.issues.add(`${m.at(field)}[${i}]`, `cannot remove '${n}' (pseudo-headers and host are protected)`);
  });
  return names.filter((n) => !PROTECTED.test(n)).map((n) => n.toLowerCase());
}

/** Reads the four header-operation fields of a message. */
export function decodeHeaderOperations(m: Message): HeaderOperations {
  const add = (field: string): HeaderToAdd[] =>
    m.messages(field).map(headerToAdd).filter((h): h is HeaderToAdd => h !== undefined);
  return {
    requestHeadersToAdd: add('request_headers_to_add'),
    requestHeadersToRemove: removals(m, 'request_headers_to_remove'),
    responseHeadersToAdd: add('response_headers_to_add'),
    responseHeadersToRemove: removals(m, 'response_headers_to_remove'),
  };
}
