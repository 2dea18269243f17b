/** What an {@link AdsClient} reports, and a small typed emitter for it. */
import type { ProxyConfigSnapshot, UpdateFailure, XdsTypeName } from '../config';

export interface AckEvent {
  readonly type: XdsTypeName;
  readonly versionInfo: string;
  readonly nonce: string;
}

export interface NackEvent {
  readonly type: XdsTypeName;
  /** Version of the rejected response. */
  readonly versionInfo: string;
  /** Version still in force for the type. */
  readonly keptVersionInfo: string;
  readonly nonce: string;
  /** `error_detail.message` as sent. */
  readonly message: string;
  readonly failure: UpdateFailure;
}

export interface ConnectedEvent {
  /** Streams opened before this one (0 for the first). */
  readonly reconnects: number;
}

export interface DisconnectedEvent {
  /** gRPC status code and details of the ended stream. */
  readonly code: number;
  readonly details: string;
  /** Delay before the next attempt. */
  readonly retryInMs: number;
}

export interface AdsClientEvents {
  /** A stream reached a ready channel. */
  connected: ConnectedEvent;
  /** A stream ended; the client keeps its configuration and retries after `retryInMs`. */
  disconnected: DisconnectedEvent;
  ack: AckEvent;
  nack: NackEvent;
  /** Initial configuration applied: clusters and then listeners warmed (or timed out). Fires once. */
  ready: ProxyConfigSnapshot;
}

export type AdsClientEventName = keyof AdsClientEvents;

export class TypedEmitter<Events> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Subscribes; returns the function that unsubscribes. */
  public on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  protected onListenerError(error: unknown): void {
    console.error('event listener failed:', error);
  }
}
