/**
 * A batch's observations are stored as two columns: the fingerprints (32 bytes each, in order)
 * and the origin of each, run-length encoded as unsigned LEB128 varint pairs (origin id, run).
 */
import { HASH_BYTES } from './fingerprint';

export class OriginRuns {
  private bytes: number[] = [];
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

  encode(): Buffer {
    this.flushRun();
    const out = Buffer.from(this.bytes);
    this.bytes = [];
    this.current = -1;
    return out;
  }

  private flushRun(): void {
    if (this.run === 0) return;
    writeVarint(this.bytes, this.current);
    writeVarint(this.bytes, this.run);
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

/** Decodes the run-length origins into one origin id per observation. */
export function decodeOrigins(blob: Uint8Array, expectedCount: number): Uint32Array {
  const ids = new Uint32Array(expectedCount);
  let pos = 0;
  let filled = 0;
  const read = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= blob.length) throw new RangeError('origins column ends inside a varint');
      const byte = blob[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  while (pos < blob.length) {
    const id = read();
    const run = read();
    if (run === 0 || filled + run > expectedCount) {
      throw new RangeError(
        `origins column covers more than the batch's ${expectedCount} observations`,
      );
    }
    ids.fill(id, filled, filled + run);
    filled += run;
  }
  if (filled !== expectedCount) {
    throw new RangeError(
      `origins column covers ${filled} observations, the batch has ${expectedCount}`,
    );
  }
  return ids;
}

/** The i-th fingerprint of a batch's fingerprints column. */
export function fingerprintAt(column: Uint8Array, index: number): Buffer {
  return Buffer.from(column.buffer, column.byteOffset + index * HASH_BYTES, HASH_BYTES);
}
