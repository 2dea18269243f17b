/**
 * The part of a gRPC bidirectional server call the protocol modules use. A
 * `@grpc/grpc-js` `ServerDuplexStream` has this shape; tests use a fake.
 */
import type { ProtocolErrorStatus } from './protocol-error';

export interface XdsDuplexCall<Req, Res> {
  /** A request from the client. */
  on(event: 'data', listener: (request: Req) => void): unknown;
  /** The client half-closed, or the call was cancelled. */
  on(event: 'end' | 'cancelled' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  write(response: Res): unknown;
  /** Ends the call with status OK. */
  end(): unknown;
  /** Ends the call with a non-OK status (the grpc-js convention for server streams). */
  emit(event: 'error', status: ProtocolErrorStatus): unknown;
  getPeer?(): string;
}
