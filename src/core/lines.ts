/**
 * Splits a byte stream into lines without decoding it. A line ends at "\n" (a preceding "\r" is
 * dropped); the last line may have no ending. Lines longer than maxLineBytes are reported as
 * such, without keeping their bytes.
 */
export interface LineSink {
  /** A complete line (without its ending), numbered from 1. `bytes` is the raw line length incl. ending. */
  line(content: Buffer, lineNo: number, bytes: number): void;
  /** A line whose content (without its ending) is over the limit; its bytes were discarded. */
  tooLong(lineNo: number, contentBytes: number): void;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflow = false;
  private lineNo = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      this.emit(chunk, start, nl, true);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Flushes a final line that has no line ending. */
  end(): void {
    if (this.pendingBytes > 0 || this.overflow) this.emit(Buffer.alloc(0), 0, 0, false);
  }

  private keep(part: Buffer): void {
    this.pendingBytes += part.length;
    if (this.overflow) return;
    if (this.pendingBytes > this.maxLineBytes) {
      this.overflow = true;
      this.pending = [];
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(part));
  }

  private emit(chunk: Buffer, start: number, end: number, newline: boolean): void {
    this.lineNo++;
    const total = this.pendingBytes + (end - start) + (newline ? 1 : 0);
    let contentLength = this.pendingBytes + (end - start);
    if (this.overflow || contentLength > this.maxLineBytes) {
      this.resetPending();
      this.sink.tooLong(this.lineNo, contentLength);
      return;
    }
    let content =
      this.pending.length === 0
        ? chunk.subarray(start, end)
        : Buffer.concat([...this.pending, chunk.subarray(start, end)]);
    if (contentLength > 0 && content[contentLength - 1] === 13 && newline) {
      content = content.subarray(0, contentLength - 1);
      contentLength--;
    }
    this.resetPending();
    this.sink.line(content, this.lineNo, total);
  }

  private resetPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.overflow = false;
  }
}
