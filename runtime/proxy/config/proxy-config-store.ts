/**
 * Holds the current {@link ProxyConfigSnapshot} and tells subscribers when it
 * is replaced. The xDS client replaces it once per applied response; the data
 * plane subscribes with `onUpdate` and reads `current`.
 */
import type { XdsTypeName } from './applied-resource';
import { ProxyConfigSnapshot } from './proxy-config-snapshot';

/** Called after the snapshot was replaced, with the types whose part of it changed (never empty). */
export type ConfigUpdateListener = (prev: ProxyConfigSnapshot, next: ProxyConfigSnapshot, changedTypes: readonly XdsTypeName[]) => void;

export interface ProxyConfigStoreProps {
  /** @default an empty snapshot */
  readonly initial?: ProxyConfigSnapshot;
  /**
   * Receives errors thrown by update listeners (they never stop other listeners).
   * @default `console.error`
   */
  readonly onListenerError?: (error: unknown) => void;
}

export class ProxyConfigStore {
  private snapshot: ProxyConfigSnapshot;
  private readonly listeners = new Set<ConfigUpdateListener>();
  private readonly onListenerError: (error: unknown) => void;

  public constructor(props: ProxyConfigStoreProps = {}) {
    this.snapshot = props.initial ?? ProxyConfigSnapshot.empty();
    this.onListenerError = props.onListenerError ?? ((error) => console.error('proxy config: update listener failed:', error));
  }

  /** The snapshot in force. */
  public get current(): ProxyConfigSnapshot {
    return this.snapshot;
  }

  /**
   * Subscribes to replacements of the snapshot; returns the function that unsubscribes.
   * Listeners run synchronously, in subscription order, after `current` already returns `next`.
   */
  public onUpdate(listener: ConfigUpdateListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Makes `next` current and notifies listeners; does nothing when `changedTypes` is empty. */
  public replace(next: ProxyConfigSnapshot, changedTypes: readonly XdsTypeName[]): void {
    if (changedTypes.length === 0 || next === this.snapshot) return;
    const prev = this.snapshot;
    this.snapshot = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(prev, next, changedTypes);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
