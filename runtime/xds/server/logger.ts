/** The logging the xDS server needs; `console` satisfies it. */
export interface XdsLogger {
  info(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
}

/** A logger that drops everything. */
export const SILENT_LOGGER: XdsLogger = { info: () => undefined, warn: () => undefined };
