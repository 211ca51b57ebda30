// The LSP base protocol's framing, checked byte by byte on the server's input
// (`Content-Length: N\r\n\r\n` then N bytes). vscode-jsonrpc's reader reports a
// header without Content-Length or without `:` through onError and then waits
// for more input, deaf; and it buffers bytes that never form a header (binary
// garbage) without complaint. A server in that state never answers again, and
// the client, which sees a live process, never restarts it. So on any framing
// error, including input that ends inside a message, the server exits non-zero
// (main.ts), and the client starts a new one.

/** The largest message read (a didOpen carries the whole document; 256 MiB is far past the analysis limit). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** The longest header block (the two headers the protocol has fit in 100 bytes). */
export const MAX_HEADER_BYTES = 8192;

const CR = 13;
const LF = 10;

export class FrameGuard {
  private header: number[] = [];
  private bodyLeft = 0;
  private failed = false;

  constructor(private readonly fail: (why: string) => void) {}

  private error(why: string): void {
    if (this.failed) return;
    this.failed = true;
    this.fail(why);
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.failed) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        continue;
      }
      const b = chunk[i++] as number;
      if (!(b === CR || b === LF || b === 9 || (b >= 0x20 && b < 0x7f))) {
        this.error(`byte 0x${b.toString(16).padStart(2, '0')} where a message header was expected`);
        return;
      }
      this.header.push(b);
      if (this.header.length > MAX_HEADER_BYTES) {
        this.error(`a message header longer than ${MAX_HEADER_BYTES} bytes`);
        return;
      }
      const n = this.header.length;
      if (n >= 4 && this.header[n - 4] === CR && this.header[n - 3] === LF && this.header[n - 2] === CR && b === LF) {
        const text = String.fromCharCode(...this.header.slice(0, n - 4));
        this.header = [];
        const length = this.contentLength(text);
        if (length === undefined) return;
        this.bodyLeft = length;
      }
    }
  }

  private contentLength(text: string): number | undefined {
    let length: number | undefined;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0 || !/^[A-Za-z0-9-]+$/.test(line.slice(0, colon))) {
        this.error(`malformed header line ${JSON.stringify(line.slice(0, 80))} (expected \`Name: value\`)`);
        return undefined;
      }
      if (line.slice(0, colon).toLowerCase() !== 'content-length') continue;
      const v = line.slice(colon + 1).trim();
      if (!/^\d{1,12}$/.test(v)) {
        this.error(`Content-Length is not a number: ${JSON.stringify(v.slice(0, 40))}`);
        return undefined;
      }
      length = Number(v);
    }
    if (length === undefined) {
      this.error('a message header without Content-Length');
      return undefined;
    }
    if (length > MAX_MESSAGE_BYTES) {
      this.error(`a message of ${length} bytes (the server reads at most ${MAX_MESSAGE_BYTES})`);
      return undefined;
    }
    return length;
  }

  /** The input ended: an error when it ended inside a message. */
  end(): void {
    if (this.bodyLeft > 0) this.error(`the input ended ${this.bodyLeft} bytes short of the message's Content-Length`);
    else if (this.header.some((b) => b !== CR && b !== LF)) this.error('the input ended inside a message header');
  }
}
