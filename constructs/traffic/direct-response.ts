import type { HTTPDirectResponse } from '../api/virtual-service';
import { intInRange } from './private/checks';

/** Answers requests directly, without forwarding them (Istio's `HTTPDirectResponse`). */
export abstract class DirectResponse {
  /** Answers with `status` (200..599) and, optionally, a text body. */
  public static status(status: number, body?: string): DirectResponse {
    return new DirectResponseImpl(status, body === undefined ? undefined : { string: body });
  }

  /** Answers with `status` and a binary body (sent base64-encoded in the manifest). */
  public static bytes(status: number, body: Uint8Array): DirectResponse {
    return new DirectResponseImpl(status, { bytes: Buffer.from(body).toString('base64') });
  }

  /** @internal Istio's `HTTPDirectResponse`. */
  public abstract _render(): HTTPDirectResponse;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class DirectResponseImpl extends DirectResponse {
  constructor(
    private readonly status: number,
    private readonly body: { string: string } | { bytes: string } | undefined,
  ) {
    super();
  }

  public _render(): HTTPDirectResponse {
    return (this.body ? { status: this.status, body: { ...this.body } } : { status: this.status }) as HTTPDirectResponse;
  }

  public _validate(): string[] {
    return intInRange('directResponse.status', this.status, 200, 599);
  }
}
