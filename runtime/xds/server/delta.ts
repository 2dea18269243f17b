/**
 * Delta (incremental) ADS (`DeltaAggregatedResources`).
 *
 * The stream tracks, per type, what the client holds ({@link HeldResources}):
 * seeded from `initial_resource_versions` on the type's first request, then,
 * after each response, exactly the snapshot's resources in the subscription
 * the response answered — a reference to layers the cache shares between
 * every proxy with the same config, so thousands of streams holding the same
 * versions hold one copy. Unsubscribed names are held by nobody (subscribing
 * again resends them); a NACKed response's resources count as held at the
 * versions held before it, and are not sent again while the snapshot stays at
 * the rejected version. The cache answers with the resources whose versions
 * differ and the names that disappeared (`removed_resources`). Requests change
 * the subscription whatever their nonce; a nonce names the response being
 * ACKed or NACKed.
 */
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../protos';
import { shortTypeName } from '../resource-types';
import { CachedResource, HeldResources, inScope, WatchResponse } from '../cache';
import type { XdsDuplexCall } from './call';
import { XdsProtocolError } from './protocol-error';
import { runStream, StreamDependencies, StreamSession } from './stream-session';
import { deltaSubscription, sameSubscription, StreamSubscription } from './subscription';

/** A response not yet ACKed or NACKed. */
interface InFlight {
  /** The system version it carried. */
  readonly version: string;
  /** What the client held before it. */
  readonly before: HeldResources;
  readonly resources: readonly CachedResource[];
  readonly removed: readonly string[];
}

interface DeltaTypeState {
  subscription?: StreamSubscription;
  /** What the client holds, as far as the server knows. */
  held: HeldResources;
  /** Nonce → responses not yet ACKed or NACKed, oldest first. */
  readonly inFlight: Map<string, InFlight>;
}

/** What a client holding `held` holds once it applied `response` (when the cache did not say). */
function applied(held: HeldResources, response: WatchResponse): HeldResources {
  if (response.held) return response.held;
  const changes: [string, string | undefined][] = response.resources.map((r) => [r.name, r.version]);
  for (const name of response.removed) changes.push([name, undefined]);
  return held.with(changes, undefined);
}

/** Serves one delta ADS stream until it ends. */
export function handleDeltaStream(
  call: XdsDuplexCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse>,
  deps: StreamDependencies,
): void {
  const session = new StreamSession(deps, 'delta', call.getPeer?.());
  const types = new Map<string, DeltaTypeState>();

  const watch = (typeUrl: string, state: DeltaTypeState): void => {
    const subscription = state.subscription;
    if (!subscription) return;
    session.watch(typeUrl, state.held, subscription, (response) => {
      send(state, response);
      watch(typeUrl, state);
    });
  };

  const send = (state: DeltaTypeState, response: WatchResponse): void => {
    const nonce = session.nextNonce();
    call.write({
      system_version_info: response.version,
      resources: response.resources.map((r) => ({ name: r.name, version: r.version, resource: r.any })),
      type_url: response.typeUrl,
      removed_resources: [...response.removed],
      nonce,
      control_plane: { identifier: deps.controlPlaneId },
    });
    state.inFlight.set(nonce, { version: response.version, before: state.held, resources: response.resources, removed: response.removed });
    state.held = applied(state.held, response);
    deps.status.recordSent(session.streamId, response.typeUrl, response.version, nonce);
    deps.metrics.pushed(response.typeUrl);
  };

  runStream(call, session, (request) => {
    session.identify(request.node);
    const typeUrl = request.type_url ?? '';
    if (typeUrl === '') throw XdsProtocolError.missingTypeUrl();
    let state = types.get(typeUrl);
    if (!state) {
      state = { held: HeldResources.of(request.initial_resource_versions ?? {}), inFlight: new Map() };
      types.set(typeUrl, state);
    }

    const nonce = request.response_nonce ?? '';
    const nacked = nonce !== '' && acknowledge(typeUrl, state, nonce, request);

    const previous = state.subscription;
    const unsubscribe = request.resource_names_unsubscribe ?? [];
    const next = deltaSubscription(previous, typeUrl, request.resource_names_subscribe ?? [], unsubscribe);
    state.subscription = next;
    const changed = previous === undefined || !sameSubscription(previous, next);
    if (changed) {
      // Asked for something else: answer even at the version the client rejected.
      state.held = state.held.withoutRejected();
      // The client forgets what it unsubscribed from; subscribing again must resend it.
      if (!next.wildcard) state.held = state.held.with(forgotten(state.held, previous, next, unsubscribe));
    }
    deps.status.recordSubscription(session.streamId, typeUrl, next);

    if (changed || nacked || !session.hasWatch(typeUrl)) watch(typeUrl, state);
  });

  /** Held names that `next` (not a wildcard) no longer selects, as changes to "not held". */
  function forgotten(
    held: HeldResources,
    previous: StreamSubscription | undefined,
    next: StreamSubscription,
    unsubscribe: readonly string[],
  ): [string, undefined][] {
    // Held names are all subscribed ones unless the stream was a wildcard or just started
    // (then only the unsubscribed names can be dropped), or names are namespaces (an
    // unsubscribed namespace drops every name in it).
    const names = previous && !previous.wildcard && next.namespaced !== true ? unsubscribe : held.names();
    const dropped: [string, undefined][] = [];
    for (const name of names) if (!inScope(next, name) && held.version(name) !== undefined) dropped.push([name, undefined]);
    return dropped;
  }

  /** Settles the responses up to `nonce`; true when it was NACKed (and what the client holds changed). */
  function acknowledge(typeUrl: string, state: DeltaTypeState, nonce: string, request: DeltaDiscoveryRequest): boolean {
    const sent = state.inFlight.get(nonce);
    if (sent === undefined) {
      deps.logger.debug?.(`xds: ${session.node.id} ${shortTypeName(typeUrl)}: unknown or stale nonce ${nonce}`);
      return false;
    }
    // Responses up to this one are settled.
    for (const pending of [...state.inFlight.keys()]) {
      state.inFlight.delete(pending);
      if (pending === nonce) break;
    }
    if (!request.error_detail) {
      deps.status.recordAck(session.streamId, typeUrl, sent.version);
      return false;
    }
    session.recordNack(typeUrl, sent.version, nonce, request.error_detail);
    // The client kept what it held before the rejected response, for the names no later response changed.
    const held = state.held;
    const subscription = state.subscription;
    const reverted: [string, string | undefined][] = [];
    for (const r of sent.resources) if (held.version(r.name) === r.version) reverted.push([r.name, sent.before.version(r.name)]);
    for (const name of sent.removed) {
      const selected = subscription !== undefined && inScope(subscription, name);
      if (selected && held.version(name) === undefined) reverted.push([name, sent.before.version(name)]);
    }
    state.held = held.with(reverted, sent.version);
    return true;
  }
}
