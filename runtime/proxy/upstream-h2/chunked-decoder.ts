/**
 * Decodes the HTTP/1.1 chunked framing the engine writes for a request body of
 * unknown length (`size CRLF data CRLF ... 0 CRLF [trailers] CRLF`), so an
 * HTTP/2 stream can carry the bare bytes. Incremental: chunks may split anywhere.
 */

const SIZE = 0;
const EXTENSION = 1;
const DATA = 2;
const DATA_END = 3;
const TRAILER_START = 4;
const TRAILER_LINE = 5;
const DONE = 6;

export class ChunkedDecoder {
  private state = SIZE;
  private size = 0;
  private sawDigit = false;

  /** Whether the last chunk (and its trailer section) was seen. */
  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Feeds framed bytes; `onData` gets each run of body bytes (slices of `input`).
   * Returns false on malformed framing.
   */
  push(input: Buffer, onData: (data: Buffer) => void): boolean {
    let i = 0;
    const n = input.length;
    while (i < n) {
      switch (this.state) {
        case SIZE: {
          const c = input[i++] as number;
          const v = hexValue(c);
          if (v >= 0) {
            this.size = this.size * 16 + v;
            this.sawDigit = true;
            if (this.size > Number.MAX_SAFE_INTEGER / 16) return false;
          } else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) {
            this.state = EXTENSION;
          } else if (c === 0x0d) {
            // CR: the LF ends the size line
          } else if (c === 0x0a) {
            if (!this.sawDigit) return false;
            this.endSizeLine();
          } else {
            return false;
          }
          break;
        }
        case EXTENSION:
          if (input[i++] === 0x0a) {
            if (!this.sawDigit) return false;
            this.endSizeLine();
          }
          break;
        case DATA: {
          const take = Math.min(this.size, n - i);
          onData(input.subarray(i, i + take));
          i += take;
          this.size -= take;
          if (this.size === 0) this.state = DATA_END;
          break;
        }
        case DATA_END:
          if (input[i++] === 0x0a) {
            this.state = SIZE;
            this.size = 0;
            this.sawDigit = false;
          }
          break;
        case TRAILER_START: {
          const c = input[i++];
          if (c === 0x0a) this.state = DONE;
          else if (c !== 0x0d) this.state = TRAILER_LINE;
          break;
        }
        case TRAILER_LINE:
          if (input[i++] === 0x0a) this.state = TRAILER_START;
          break;
        case DONE:
          return i === n;
      }
    }
    return true;
  }

  private endSizeLine(): void {
    this.state = this.size === 0 ? TRAILER_START : DATA;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
