/**
 * Delta (incremental) ADS (`DeltaAggregatedResources`).
 *
 * The stream tracks, per type, the resource versions the client holds: seeded
 * from `initial_resource_versions` on the type's first request, updated by
 * every response sent and by unsubscriptions. The cache answers with the
 * resources whose versions differ and the names that disappeared
 * (`removed_resources`). Requests change the subscription whatever their nonce;
 * a nonce names the response being ACKed or NACKed.
 */
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../protos';
import { shortTypeName } from '../resource-types';
import type { WatchResponse } from '../cache';
import type { XdsDuplexCall } from './call';
import { XdsProtocolError } from './protocol-error';
import { runStream, StreamDependencies, StreamSession } from './stream-session';
import { deltaSubscription, sameSubscription, StreamSubscription } from './subscription';

interface DeltaTypeState {
  subscription?: StreamSubscription;
  /** Resource name → version the client holds. */
  readonly known: Map<string, string>;
  /** Nonce → system version of responses not yet ACKed or NACKed, oldest first. */
  readonly inFlight: Map<string, string>;
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
    session.watch(typeUrl, new Map(state.known), subscription, (response) => {
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
    for (const r of response.resources) state.known.set(r.name, r.version);
    for (const name of response.removed) state.known.delete(name);
    state.inFlight.set(nonce, response.version);
    deps.status.recordSent(session.streamId, response.typeUrl, response.version, nonce);
    deps.metrics.pushed(response.typeUrl);
  };

  runStream(call, session, (request) => {
    session.identify(request.node);
    const typeUrl = request.type_url ?? '';
    if (typeUrl === '') throw XdsProtocolError.missingTypeUrl();
    let state = types.get(typeUrl);
    if (!state) {
      state = { known: new Map(Object.entries(request.initial_resource_versions ?? {})), inFlight: new Map() };
      types.set(typeUrl, state);
    }

    const nonce = request.response_nonce ?? '';
    if (nonce !== '') acknowledge(typeUrl, state, nonce, request);

    const previous = state.subscription;
    const next = deltaSubscription(
      previous,
      typeUrl,
      request.resource_names_subscribe ?? [],
      request.resource_names_unsubscribe ?? [],
    );
    state.subscription = next;
    const changed = previous === undefined || !sameSubscription(previous, next);
    if (changed && !next.wildcard) {
      // The client forgets what it unsubscribed from; subscribing again must resend it.
      for (const name of [...state.known.keys()]) if (!next.names.has(name)) state.known.delete(name);
    }
    deps.status.recordSubscription(session.streamId, typeUrl, next);

    if (changed || !session.hasWatch(typeUrl)) watch(typeUrl, state);
  });

  function acknowledge(typeUrl: string, state: DeltaTypeState, nonce: string, request: DeltaDiscoveryRequest): void {
    const version = state.inFlight.get(nonce);
    if (version === undefined) {
      deps.logger.debug?.(`xds: ${session.node.id} ${shortTypeName(typeUrl)}: unknown or stale nonce ${nonce}`);
      return;
    }
    // Responses up to this one are settled.
    for (const pending of [...state.inFlight.keys()]) {
      state.inFlight.delete(pending);
      if (pending === nonce) break;
    }
    if (request.error_detail) {
      session.recordNack(typeUrl, version, nonce, request.error_detail);
    } else {
      deps.status.recordAck(session.streamId, typeUrl, version);
    }
  }
}
