/** What every sample service is: a definition the registry lists, and the app it creates. */
import { IncomingMessage, ServerResponse } from 'http';
import { SampleEnv } from './sample-env';

/** One running instance of a sample's request handling. */
export interface SampleApp {
  /**
   * Answers one request. `signal` fires when the client goes away or the sample
   * closes: pass it to outgoing calls so they stop too.
   */
  handle(request: IncomingMessage, response: ServerResponse, signal: AbortSignal): void | Promise<void>;
  /** Releases what the app holds (kept-alive connections, timers). */
  close?(): void;
}

export interface SampleOptions {
  /** One of the definition's versions. */
  readonly version: string;
  /** Where settings such as MESH_PROXY come from. */
  readonly env: SampleEnv;
}

export interface SampleDefinition {
  readonly name: string;
  /** The port the service listens on in the cluster. */
  readonly defaultPort: number;
  /** The versions it can run as; the first is the default. */
  readonly versions: readonly string[];
  /** Creates the app; throws when a setting in `options.env` is invalid. */
  create(options: SampleOptions): SampleApp;
}
