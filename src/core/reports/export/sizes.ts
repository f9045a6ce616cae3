/**
 * The content bytes of every observation of a session whose batches were recorded before schema 2
 * (no sizes column), for the JSON Lines export.
 *
 * Sizes live in the samples table, keyed by fingerprint. A lookup per observation through sql.js
 * costs microseconds, and hashing a million fingerprints to match a scan of the table costs
 * random memory accesses; instead the session's fingerprints are sorted (a radix sort on their
 * first four bytes, which SHA-256 spreads evenly) and merged with the samples table read in key
 * order (or, when the session holds few of the stored samples, looked up one by one).
 */
import { SessionObservations } from '../../sessions/observations';
import { Store } from '../../store/store';

const KEY = 32;

/** Unsigned big-endian 32-bit word at `offset`: the sort key of a fingerprint. */
const word = (bytes: Uint8Array, offset: number): number =>
  ((bytes[offset] << 24) |
    (bytes[offset + 1] << 16) |
    (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>>
  0;

/** Compares two fingerprints byte by byte (memcmp order, as SQLite orders BLOBs). */
function compare(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let i = 0; i < KEY; i++) {
    const d = a[ai + i] - b[bi + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Positions 0…n-1 ordered by fingerprint: LSD radix sort on the first word, then ties. */
function sortedPositions(fps: Uint8Array, n: number): { order: Uint32Array; keys: Uint32Array } {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = word(fps, i * KEY);
  let order = new Uint32Array(n);
  let next = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const p = order[i];
      next[counts[(keys[p] >>> shift) & 0xffff]++] = p;
    }
    [order, next] = [next, order];
  }
  // Equal first words (a handful per million): order those runs by the whole fingerprint.
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && keys[order[j]] === keys[order[i]]) j++;
    if (j - i > 1) {
      const run = Array.from(order.subarray(i, j)).sort(
        (a, b) => compare(fps, a * KEY, fps, b * KEY) || a - b,
      );
      order.set(run, i);
    }
    i = j;
  }
  return { order, keys };
}

/**
 * Content bytes of each of the session's observations (as readSessionObservations holds them,
 * in order), from the samples table; -1 where the table lacks the sample.
 */
export function observationSizes(store: Store, observations: SessionObservations): Float64Array {
  const records = observations.count;
  const fps = observations.fingerprints;
  const { order, keys } = sortedPositions(fps, records);
  // The fingerprints and their first words in sorted order, so the walks below read memory in
  // sequence instead of jumping around 32 bytes per observation.
  const sorted = new Uint8Array(records * KEY);
  const sortedKeys = new Uint32Array(records);
  const from = new Uint32Array(fps.buffer, fps.byteOffset, records * 8);
  const to = new Uint32Array(sorted.buffer, 0, records * 8);
  for (let k = 0; k < records; k++) {
    const p = order[k];
    for (let w = 0; w < 8; w++) to[k * 8 + w] = from[p * 8 + w];
    sortedKeys[k] = keys[p];
  }
  const sameAsPrevious = (k: number): boolean =>
    sortedKeys[k] === sortedKeys[k - 1] && compare(sorted, k * KEY, sorted, (k - 1) * KEY) === 0;
  let distinct = 0;
  for (let k = 0; k < records; k++) if (k === 0 || !sameAsPrevious(k)) distinct++;

  const sizes = new Float64Array(records).fill(-1);
  const stored = Number(store.scalar('SELECT count(*) FROM samples'));
  // Measured with sql.js: a point lookup costs about ten rows of a full scan.
  if (distinct * 10 < stored) {
    const stmt = store.db.prepare('SELECT size FROM samples WHERE fingerprint = ?');
    try {
      for (let k = 0; k < records;) {
        stmt.bind([sorted.subarray(k * KEY, k * KEY + KEY)]);
        const size = stmt.step() ? (stmt.get()[0] as number) : -1;
        stmt.reset();
        do sizes[order[k++]] = size;
        while (k < records && sameAsPrevious(k));
      }
    } finally {
      stmt.free();
    }
  } else {
    // Merge the sorted fingerprints with the samples table read in key order.
    const stmt = store.db.prepare('SELECT fingerprint, size FROM samples ORDER BY fingerprint');
    try {
      let k = 0;
      while (k < records && stmt.step()) {
        const [fp, size] = stmt.get() as [Uint8Array, number];
        const rowKey = word(fp, 0);
        // Skip session samples the table lacks (their size stays -1) up to this row.
        while (
          k < records &&
          (sortedKeys[k] < rowKey ||
            (sortedKeys[k] === rowKey && compare(sorted, k * KEY, fp, 0) < 0))
        )
          k++;
        while (k < records && sortedKeys[k] === rowKey && compare(sorted, k * KEY, fp, 0) === 0)
          sizes[order[k++]] = size;
      }
    } finally {
      stmt.free();
    }
  }
  return sizes;
}
