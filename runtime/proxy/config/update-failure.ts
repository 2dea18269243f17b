/** A response the proxy rejected (NACKed), kept for the debug endpoints. */
import type { PlainMessage } from '../../xds/protos';
import type { XdsTypeName } from './applied-resource';

export interface RejectedResource {
  /** The resource's name, or `#<index>` when it has none. */
  readonly name: string;
  /** The resource as received, when it could be unpacked. */
  readonly raw?: PlainMessage;
  /** Problems, each prefixed with its field path. */
  readonly errors: readonly string[];
}

export interface UpdateFailure {
  readonly type: XdsTypeName;
  /** `version_info` of the rejected response. */
  readonly versionInfo: string;
  readonly nonce: string;
  readonly at: Date;
  /** The `error_detail.message` sent with the NACK. */
  readonly details: string;
  readonly resources: readonly RejectedResource[];
}
