/** A stand-in for a grpc-js server duplex call: push requests in, read responses out. */
import { EventEmitter } from 'events';
import type { XdsDuplexCall, ProtocolErrorStatus } from '../../runtime/xds/server';

export class FakeStream<Req, Res> extends EventEmitter implements XdsDuplexCall<Req, Res> {
  public readonly responses: Res[] = [];
  /** The final non-OK status, if the server ended the call with one. */
  public status?: ProtocolErrorStatus;
  /** Whether the server ended the call (with OK or an error). */
  public ended = false;

  public constructor() {
    super();
    this.on('error', (status: ProtocolErrorStatus) => {
      this.status = status;
      this.ended = true;
    });
  }

  /** The client sends a request. */
  public push(request: Req): this {
    this.emit('data', request);
    return this;
  }

  /** Responses written since the last call. */
  public take(): Res[] {
    return this.responses.splice(0, this.responses.length);
  }

  /** The client half-closes. */
  public finish(): void {
    this.emit('end');
  }

  /** The client goes away. */
  public cancel(): void {
    this.emit('cancelled');
  }

  public write(response: Res): boolean {
    if (this.ended) throw new Error('write after the call ended');
    this.responses.push(response);
    return true;
  }

  public end(): void {
    this.ended = true;
  }

  public getPeer(): string {
    return 'ipv4:127.0.0.1:50000';
  }
}
