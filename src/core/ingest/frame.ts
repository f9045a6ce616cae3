/**
 * Cuts one input's byte stream into segments of whole lines, without decoding it, so segments can
 * be parsed independently (and in parallel). A line ends at "\n"; the last line of an input may
 * have no ending. A line whose content (without its "\n") is over maxLineBytes is reported as a
 * `tooLong` item instead, without keeping its bytes, so memory stays bounded by the limit.
 */
export type FramedItem =
  | {
      kind: 'lines';
      /** Whole lines; every one ends with "\n" unless !terminated (then the last one does not). */
      data: Buffer;
      terminated: boolean;
      firstLineOfInput: boolean;
    }
  | {
      kind: 'tooLong';
      /** Content bytes of the line (without its "\n", with any "\r"). */
      bytes: number;
      firstLineOfInput: boolean;
    };

export class LineFramer {
  /** Unsent bytes: whole lines up to `tail`, then the start of an unfinished line. */
  private buf: Buffer = Buffer.alloc(0);
  private filled = 0;
  /** Offset just after the last "\n" in buf[0, filled). */
  private tail = 0;
  /** ≥ 0 while inside a line that went over the limit: its bytes so far (not kept). */
  private overflow = -1;
  private first = true;

  /**
   * @param maxLineBytes longest accepted line content
   * @param segmentBytes whole lines are sent on once at least this many bytes are buffered
   * @param spare buffers whose segments are done with, to reuse (fresh memory costs page faults)
   */
  constructor(
    private readonly maxLineBytes: number,
    private readonly segmentBytes: number,
    private readonly spare: Buffer[] = [],
  ) {}

  /**
   * A region of at least `min` bytes to read the next input bytes into, then call commit().
   * Segment buffers are allocated on their own (not pooled), so they can be transferred.
   */
  space(min: number): Buffer {
    if (this.buf.length - this.filled < min) {
      // Grows by doubling while one long line fills it.
      const next = this.allocate(this.filled + Math.max(min, this.segmentBytes, this.filled));
      this.buf.copy(next, 0, 0, this.filled);
      this.buf = next;
    }
    return this.buf.subarray(this.filled);
  }

  /** Takes `n` bytes that were written at the start of the last space(). */
  commit(n: number): FramedItem[] {
    const items: FramedItem[] = [];
    let from = this.filled;
    this.filled += n;
    if (this.overflow >= 0) {
      const nl = this.buf.subarray(from, this.filled).indexOf(10);
      if (nl === -1) {
        this.overflow += n;
        this.filled = 0;
        return items;
      }
      items.push({
        kind: 'tooLong',
        bytes: this.overflow + nl,
        firstLineOfInput: this.takeFirst(),
      });
      this.overflow = -1;
      this.buf.copyWithin(0, from + nl + 1, this.filled);
      this.filled -= from + nl + 1;
      this.tail = 0;
      from = 0;
    }
    const last = this.buf.subarray(from, this.filled).lastIndexOf(10);
    if (last !== -1) this.tail = from + last + 1;
    if (this.filled - this.tail > this.maxLineBytes) {
      // The unfinished line is already too long: send what comes before it, then skip it.
      const seen = this.filled - this.tail;
      this.cut(items, this.tail, false);
      this.overflow = seen;
    } else if (this.filled >= this.segmentBytes && this.tail > 0) {
      this.cut(items, this.tail);
    }
    return items;
  }

  /** Copies a chunk in (for streams, whose chunks may be reused by their producer). */
  push(chunk: Uint8Array): FramedItem[] {
    this.space(chunk.length).set(chunk);
    return this.commit(chunk.length);
  }

  /** End of input: everything left, including a last line without an ending. */
  end(): FramedItem[] {
    const items: FramedItem[] = [];
    if (this.overflow >= 0) {
      items.push({ kind: 'tooLong', bytes: this.overflow, firstLineOfInput: this.takeFirst() });
      this.overflow = -1;
    } else if (this.filled > 0) {
      this.cut(items, this.filled);
    }
    return items;
  }

  /** The whole lines buffered so far (at an interruption or a checkpoint); an unfinished last line stays buffered. */
  flush(): FramedItem[] {
    const items: FramedItem[] = [];
    if (this.overflow < 0 && this.tail > 0) this.cut(items, this.tail);
    return items;
  }

  /** A buffer of at least `size` bytes, with its own memory (so it can be transferred). */
  private allocate(size: number): Buffer {
    const spare = this.spare.pop();
    if (spare && spare.length >= size) return spare;
    // Room for the unfinished line carried over, then a whole read.
    return Buffer.allocUnsafeSlow(Math.max(size, 2 * this.segmentBytes));
  }

  private takeFirst(): boolean {
    const first = this.first;
    this.first = false;
    return first;
  }

  /** Emits buf[0, at) as a segment and keeps buf[at, filled) (or nothing) in a fresh buffer. */
  private cut(items: FramedItem[], at: number, keepRest = true): void {
    if (at > 0) {
      items.push({
        kind: 'lines',
        data: this.buf.subarray(0, at),
        terminated: this.buf[at - 1] === 10,
        firstLineOfInput: this.takeFirst(),
      });
    }
    const rest = keepRest ? this.filled - at : 0;
    const next = this.allocate(rest + this.segmentBytes);
    this.buf.copy(next, 0, at, at + rest);
    this.buf = next;
    this.filled = rest;
    this.tail = 0;
  }
}
