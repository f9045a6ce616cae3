/**
 * A batch's observations are stored as columns: the fingerprints (32 bytes each, in order), the
 * origin of each, run-length encoded as unsigned LEB128 varint pairs (origin id, run), and (from
 * schema 2) the content bytes of each as one unsigned LEB128 varint per observation.
 */
import { Store } from './store';

/** A batch's origins as it is recorded: one origin id per observation, kept as runs. */
export class OriginRuns {
  /** [origin id, run length, …] of the runs closed so far. */
  private pairs: number[] = [];
  private current = -1;
  private run = 0;

  add(originId: number): void {
    if (originId === this.current) {
      this.run++;
      return;
    }
    this.flushRun();
    this.current = originId;
    this.run = 1;
  }

  /** Closes the batch: its runs as [origin id, run length, …] and as the origins column. */
  take(): { runs: number[]; encoded: Buffer } {
    this.flushRun();
    const runs = this.pairs;
    const bytes: number[] = [];
    for (const value of runs) writeVarint(bytes, value);
    this.pairs = [];
    this.current = -1;
    return { runs, encoded: Buffer.from(bytes) };
  }

  /** take(), the origins column only. */
  encode(): Buffer {
    return this.take().encoded;
  }

  private flushRun(): void {
    if (this.run === 0) return;
    this.pairs.push(this.current, this.run);
    this.run = 0;
  }
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/**
 * The origins column as [origin id, run length, …] pairs, checked: every varint complete, no empty
 * run, exactly `expectedCount` observations covered.
 */
export function decodeOriginRuns(blob: Uint8Array, expectedCount: number): Float64Array {
  const runs = new Float64Array(blob.length);
  let n = 0;
  let pos = 0;
  let filled = 0;
  while (pos < blob.length) {
    for (let k = 0; k < 2; k++) {
      let value = 0;
      let scale = 1;
      for (;;) {
        if (pos >= blob.length) throw new RangeError('origins column ends inside a varint');
        const byte = blob[pos++];
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) break;
        scale *= 0x80;
      }
      runs[n++] = value;
    }
    const run = runs[n - 1];
    if (run === 0 || filled + run > expectedCount) {
      throw new RangeError(
        `origins column covers more than the batch's ${expectedCount} observations`,
      );
    }
    filled += run;
  }
  if (filled !== expectedCount) {
    throw new RangeError(
      `origins column covers ${filled} observations, the batch has ${expectedCount}`,
    );
  }
  return runs.subarray(0, n);
}

/** The sizes column: `count` content byte counts (safe non-negative integers) as LEB128 varints. */
export function encodeSizes(sizes: ArrayLike<number>, count: number): Buffer {
  // A safe integer takes at most 8 varint bytes.
  const out = Buffer.allocUnsafe(count * 8);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let v = sizes[i];
    // Sizes below 2^31 (all real ones) with integer operations; larger ones with arithmetic.
    if (v < 0x80000000) {
      while (v >= 0x80) {
        out[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        out[pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    out[pos++] = v;
  }
  return Buffer.from(out.subarray(0, pos));
}

/** The sizes column decoded and checked: exactly `expectedCount` complete varints. */
export function decodeSizes(blob: Uint8Array, expectedCount: number): Float64Array {
  const sizes = new Float64Array(expectedCount);
  let pos = 0;
  for (let i = 0; i < expectedCount; i++) {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= blob.length) {
        throw new RangeError(`sizes column holds ${i} sizes, the batch has ${expectedCount}`);
      }
      const byte = blob[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    sizes[i] = value;
  }
  if (pos !== blob.length) {
    throw new RangeError(`sizes column holds more than the batch's ${expectedCount} sizes`);
  }
  return sizes;
}

/** Decodes the run-length origins into one origin id per observation. */
export function decodeOrigins(blob: Uint8Array, expectedCount: number): Uint32Array {
  const runs = decodeOriginRuns(blob, expectedCount);
  const ids = new Uint32Array(expectedCount);
  for (let r = 0, filled = 0; r < runs.length; r += 2) {
    ids.fill(runs[r], filled, filled + runs[r + 1]);
    filled += runs[r + 1];
  }
  return ids;
}

/** Source name and license expression of every origin id. */
export function originNames(store: Store): Map<number, readonly [source: string, license: string]> {
  return new Map(
    store
      .all<{ id: number; source: string; license: string }>(
        `SELECT o.id AS id, s.name AS source, l.expression AS license
           FROM origins o JOIN sources s ON s.id = o.source_id JOIN licenses l ON l.id = o.license_id`,
      )
      .map((r) => [r.id, [r.source, r.license] as const]),
  );
}
