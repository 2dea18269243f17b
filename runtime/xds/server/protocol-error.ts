/** Protocol violations by a client, ending its stream with a gRPC status and a plain message. */
import { status } from '@grpc/grpc-js';

/** The error object grpc-js turns into the call's final status. */
export interface ProtocolErrorStatus {
  readonly code: status;
  readonly details: string;
  readonly message: string;
}

export class XdsProtocolError extends Error {
  public constructor(
    public readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'XdsProtocolError';
  }

  /** The first request of a stream carried no node (or a node without id). */
  public static missingNode(): XdsProtocolError {
    return new XdsProtocolError(status.INVALID_ARGUMENT, 'first request must carry node with a non-empty id');
  }

  /** A later request named another node than the stream's first request. */
  public static nodeChanged(first: string, got: string): XdsProtocolError {
    return new XdsProtocolError(
      status.INVALID_ARGUMENT,
      `node id must not change on a stream (first request: '${first}', got '${got}')`,
    );
  }

  /** ADS needs the type of every request. */
  public static missingTypeUrl(): XdsProtocolError {
    return new XdsProtocolError(status.INVALID_ARGUMENT, 'request must carry type_url (required on ADS)');
  }

  public toStatus(): ProtocolErrorStatus {
    return { code: this.code, details: this.message, message: this.message };
  }
}
