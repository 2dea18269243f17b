/**
 * State-of-the-world ADS (`StreamAggregatedResources`).
 *
 * Per type, one response is outstanding at a time: after sending, the stream
 * waits for the client's next request on that type before watching the cache
 * again. A request whose `response_nonce` is not the nonce of the last
 * response of its type is stale and ignored. With the current nonce, no
 * `error_detail` is an ACK and `error_detail` a NACK: the NACK is recorded and
 * the rejected version is not sent again, only a newer one.
 */
import type { DiscoveryRequest, DiscoveryResponse } from '../protos';
import { shortTypeName } from '../resource-types';
import type { WatchResponse } from '../cache';
import type { XdsDuplexCall } from './call';
import { XdsProtocolError } from './protocol-error';
import { runStream, StreamDependencies, StreamSession } from './stream-session';
import { sameSubscription, sotwSubscription, StreamSubscription } from './subscription';

interface SotwTypeState {
  subscription?: StreamSubscription;
  /** The last response sent for the type. */
  sent?: { readonly version: string; readonly nonce: string };
}

/** Serves one state-of-the-world ADS stream until it ends. */
export function handleSotwStream(
  call: XdsDuplexCall<DiscoveryRequest, DiscoveryResponse>,
  deps: StreamDependencies,
): void {
  const session = new StreamSession(deps, 'sotw', call.getPeer?.());
  const types = new Map<string, SotwTypeState>();

  const send = (state: SotwTypeState, response: WatchResponse): void => {
    const nonce = session.nextNonce();
    call.write({
      version_info: response.version,
      resources: response.resources.map((r) => r.any),
      type_url: response.typeUrl,
      nonce,
      control_plane: { identifier: deps.controlPlaneId },
    });
    state.sent = { version: response.version, nonce };
    deps.status.recordSent(session.streamId, response.typeUrl, response.version, nonce);
    deps.metrics.pushed(response.typeUrl);
  };

  const watch = (typeUrl: string, state: SotwTypeState, knownVersion: string): void => {
    const subscription = state.subscription;
    if (!subscription) return;
    session.watch(typeUrl, knownVersion, subscription, (response) => send(state, response));
  };

  runStream(call, session, (request) => {
    session.identify(request.node);
    const typeUrl = request.type_url ?? '';
    if (typeUrl === '') throw XdsProtocolError.missingTypeUrl();
    let state = types.get(typeUrl);
    if (!state) {
      state = {};
      types.set(typeUrl, state);
    }

    const nonce = request.response_nonce ?? '';
    if (nonce !== '' && state.sent && nonce !== state.sent.nonce) {
      deps.logger.debug?.(
        `xds: ${session.node.id} ${shortTypeName(typeUrl)}: ignoring request with stale nonce ${nonce} (current ${state.sent.nonce})`,
      );
      return;
    }
    if (nonce !== '' && state.sent) {
      if (request.error_detail) {
        session.recordNack(typeUrl, state.sent.version, nonce, request.error_detail);
      } else {
        deps.status.recordAck(session.streamId, typeUrl, request.version_info ?? state.sent.version);
      }
    }

    const previous = state.subscription;
    const next = sotwSubscription(previous, typeUrl, request);
    state.subscription = next;
    deps.status.recordSubscription(session.streamId, typeUrl, next);

    if (previous === undefined) {
      // First request for the type on this stream: a reconnecting client may
      // already hold the current version, and then needs nothing.
      watch(typeUrl, state, state.sent?.version ?? request.version_info ?? '');
    } else if (!sameSubscription(previous, next)) {
      // Changed names: answer with what is asked for now, even at an unchanged version.
      watch(typeUrl, state, '');
    } else if (!session.hasWatch(typeUrl)) {
      // ACK or NACK of the last response: wait for a version newer than the one sent.
      watch(typeUrl, state, state.sent?.version ?? request.version_info ?? '');
    }
  });
}
