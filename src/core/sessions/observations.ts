/**
 * A session's observations as stored in its batches' columns, read once for the readers that walk
 * all of them (the distinct count, the per-source digests, the JSON Lines export). sql.js copies a
 * blob out of its heap a byte at a time, so reading the columns once instead of once per reader
 * is most of the saving on a large session.
 */
import { randomBytes } from 'node:crypto';
import { HASH_BYTES } from '../merkle';
import { Store } from '../store/store';

export interface StoredBatch {
  seq: number;
  first_position: number;
  record_count: number;
  /** Index of the batch's first fingerprint in SessionObservations.fingerprints. */
  index: number;
  /** Whole fingerprints its column holds (record_count unless the store is damaged). */
  count: number;
  origins: Uint8Array;
  /** Content bytes per observation (schema 2); null in batches recorded before. */
  sizes: Uint8Array | null;
}

export interface SessionObservations {
  /** Every fingerprint of the session in order, 32 bytes each. */
  fingerprints: Uint8Array;
  /** Fingerprints held. */
  count: number;
  batches: StoredBatch[];
}

/** Reads every batch column of a session, in order. */
export function readSessionObservations(store: Store, sessionId: number): SessionObservations {
  const total = Number(
    store.scalar(
      'SELECT coalesce(sum(length(fingerprints) / 32), 0) FROM batches WHERE session_id = ?',
      [sessionId],
    ),
  );
  const fingerprints = new Uint8Array(total * HASH_BYTES);
  const batches: StoredBatch[] = [];
  const stmt = store.db.prepare(
    `SELECT seq, first_position, record_count, fingerprints, origins, sizes
       FROM batches WHERE session_id = ? ORDER BY seq`,
  );
  let index = 0;
  try {
    stmt.bind([sessionId]);
    while (stmt.step()) {
      const [seq, first, records, column, origins, sizes] = stmt.get() as [
        number,
        number,
        number,
        Uint8Array,
        Uint8Array,
        Uint8Array | null,
      ];
      const count = Math.min(Math.floor(column.length / HASH_BYTES), total - index);
      fingerprints.set(column.subarray(0, count * HASH_BYTES), index * HASH_BYTES);
      batches.push({
        seq,
        first_position: first,
        record_count: records,
        index,
        count,
        origins,
        sizes,
      });
      index += count;
    }
  } finally {
    stmt.free();
  }
  return { fingerprints, count: index, batches };
}

/**
 * Distinct fingerprints among the observations: open addressing over positions into the
 * fingerprint buffer itself (no key copies), comparing 32-bit words.
 */
export function distinctCount(observations: SessionObservations): number {
  const n = observations.count;
  const fps = observations.fingerprints;
  const words = new Int32Array(fps.buffer, fps.byteOffset, n * 8);
  let capacity = 16;
  while (capacity < n * 2) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity);
  // Fingerprints come from untrusted content: a per-process seed keeps anyone from grinding
  // contents whose fingerprints all land in the same slots.
  const seed = randomBytes(8);
  const seed0 = seed.readInt32LE(0);
  const seed1 = seed.readInt32LE(4);
  let distinct = 0;
  for (let p = 0; p < n; p++) {
    const base = p * 8;
    let h =
      Math.imul(words[base] ^ seed0, 0x85ebca6b) ^ Math.imul(words[base + 1] ^ seed1, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    let slot = (h ^ (h >>> 13)) & mask;
    for (;;) {
      const entry = slots[slot];
      if (entry === 0) {
        slots[slot] = p + 1;
        distinct++;
        break;
      }
      const other = (entry - 1) * 8;
      let w = 0;
      while (w < 8 && words[other + w] === words[base + w]) w++;
      if (w === 8) break;
      slot = (slot + 1) & mask;
    }
  }
  return distinct;
}
