import { HASH_BYTES, toHex } from '../merkle';
import { FingerprintIndex } from '../samples/fingerprint-index';
import { Store } from '../store/store';

/** Samples by fingerprint (the fingerprint table ingest uses too), with their sizes and a seen mark. */
export class SampleIndex {
  private readonly index: FingerprintIndex;
  private readonly sizes: Float64Array;
  private readonly seen: Uint8Array;

  /** An index for up to `capacity` samples. */
  constructor(private readonly capacity: number) {
    this.index = new FingerprintIndex(capacity);
    this.sizes = new Float64Array(capacity);
    this.seen = new Uint8Array(capacity);
  }

  get count(): number {
    return this.index.size;
  }

  /** Loads every sample; malformed rows are reported and left out. */
  static load(store: Store, malformed: (fingerprint: string, why: string) => void): SampleIndex {
    const index = new SampleIndex(Number(store.scalar('SELECT count(*) FROM samples')));
    const stmt = store.db.prepare('SELECT fingerprint, size FROM samples');
    try {
      while (stmt.step()) {
        const [fp, size] = stmt.get() as [unknown, unknown];
        const why = index.add(fp, size);
        if (why !== undefined) {
          malformed(fp instanceof Uint8Array ? toHex(fp) : String(fp), why);
        }
      }
    } finally {
      stmt.free();
    }
    return index;
  }

  /** Adds a sample row; returns why it is malformed (and was left out), if it is. */
  add(fp: unknown, size: unknown): string | undefined {
    if (!(fp instanceof Uint8Array) || fp.length !== HASH_BYTES) {
      return 'its fingerprint is not 32 bytes';
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      return `its size ${String(size)} is not a byte count`;
    }
    if (this.count >= this.capacity) return 'more rows than counted';
    const number = this.index.insert(fp, 0);
    if (number < 0) return 'its fingerprint is listed twice';
    this.sizes[number] = size;
    return undefined;
  }

  /**
   * Looks up n fingerprints at byte offset `offset` of `leaves`: out[i] is the size of the i-th,
   * or -1 when it is not a sample. Marks the samples found as seen; returns how many were not found.
   */
  sizesOf(leaves: Uint8Array, offset: number, n: number, out: Float64Array): number {
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const number = this.index.indexOf(leaves, offset + HASH_BYTES * i);
      if (number < 0) {
        out[i] = -1;
        missing++;
      } else {
        this.seen[number] = 1;
        out[i] = this.sizes[number];
      }
    }
    return missing;
  }

  /** Samples never found. */
  unseen(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.seen[i] === 0) n++;
    return n;
  }
}
