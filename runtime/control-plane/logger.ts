/**
 * The control plane's log: one plain-text line per event,
 * `2025-01-01T12:00:00.000Z warn  config: file.yaml#2 (VirtualService default/reviews): ...`.
 * It satisfies the xDS server's `XdsLogger`.
 */
import type { XdsLogger } from '../xds/server/logger';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ControlPlaneLogger extends XdsLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LineLoggerProps {
  /** Receives each line, newline included. */
  readonly write: (line: string) => void;
  /** Lines below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  /** The clock, for tests. @default () => new Date() */
  readonly now?: () => Date;
}

/** A logger writing one line per event; a multi-line message becomes several lines. */
export function lineLogger(props: LineLoggerProps): ControlPlaneLogger {
  const min = RANK[props.level ?? 'info'];
  const now = props.now ?? (() => new Date());
  const log = (level: LogLevel) => (message: string): void => {
    if (RANK[level] < min) return;
    const stamp = now().toISOString();
    for (const line of message.split('\n')) props.write(`${stamp} ${level.padEnd(5)} ${line}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything. */
export const SILENT: ControlPlaneLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
