/** RFC 6962 §2.1 Merkle Tree Hashes of whole lists of leaves. */
import {
  EMPTY_ROOT,
  HASH_BYTES,
  asBuffer,
  leafHash,
  leafHashInto,
  nodeHash,
  nodeHashInto,
} from './hash';

/** Largest power of two strictly less than n (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Leaf hashes of `count` fingerprints stored back to back, written to out[offset…]. */
export function leafHashesInto(
  fingerprints: Uint8Array,
  count: number,
  out: Uint8Array,
  offset = 0,
): void {
  const target = asBuffer(out);
  for (let i = 0; i < count; i++) {
    const fp = fingerprints.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
    leafHashInto(fp, target, offset + i * HASH_BYTES);
  }
}

/** Leaf hashes of `count` fingerprints stored back to back. */
export function leafHashesOf(fingerprints: Uint8Array, count: number): Buffer {
  const out = Buffer.allocUnsafe(count * HASH_BYTES);
  leafHashesInto(fingerprints, count, out);
  return out;
}

/**
 * MTH of `count` leaves given their leaf hashes back to back. Builds the tree level by level, an
 * odd last node moving up unchanged, which is exactly RFC 6962's split at the largest power of two.
 * Overwrites `hashes`.
 */
export function rootOfLeafHashes(hashes: Uint8Array, count: number): Buffer {
  if (count === 0) return EMPTY_ROOT;
  const level = asBuffer(hashes);
  let width = count;
  while (width > 1) {
    const pairs = width >>> 1;
    // Node j goes to slot j, over its children's slots 2j and 2j+1 (read before it is written).
    for (let j = 0; j < pairs; j++) {
      const left = level.subarray(2 * j * HASH_BYTES, (2 * j + 1) * HASH_BYTES);
      const right = level.subarray((2 * j + 1) * HASH_BYTES, (2 * j + 2) * HASH_BYTES);
      nodeHashInto(left, right, level, j * HASH_BYTES);
    }
    if ((width & 1) === 1) {
      hashes.copyWithin(pairs * HASH_BYTES, (width - 1) * HASH_BYTES, width * HASH_BYTES);
    }
    width = pairs + (width & 1);
  }
  return Buffer.from(hashes.subarray(0, HASH_BYTES));
}

/** MTH of a list of leaf data items. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  const hashes = Buffer.allocUnsafe(leaves.length * HASH_BYTES);
  leaves.forEach((leaf, i) => leafHashInto(leaf, hashes, i * HASH_BYTES));
  return rootOfLeafHashes(hashes, leaves.length);
}

/** Leaf hashes of all leaves, computed once so proofs and roots can share them. */
export function leafHashes(leaves: readonly Uint8Array[]): Buffer[] {
  return leaves.map((leaf) => leafHash(leaf));
}

/** MTH of hashes[start, end) (leaf hashes), by RFC 6962's recursive definition. */
export function subtreeRoot(hashes: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return hashes[start];
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(hashes, start, start + k), subtreeRoot(hashes, start + k, end));
}

/** A run of leaves: `count` fingerprints at byte `offset` of a larger array. */
export interface LeafRun {
  offset: number;
  count: number;
}

/** MTH of each run of `fingerprints`: 32 bytes per run, in run order. */
export function rootsOfRuns(fingerprints: Uint8Array, runs: readonly LeafRun[]): Buffer {
  const roots = Buffer.allocUnsafe(runs.length * HASH_BYTES);
  let scratch = Buffer.allocUnsafe(0);
  runs.forEach((run, i) => {
    if (scratch.length < run.count * HASH_BYTES)
      scratch = Buffer.allocUnsafe(run.count * HASH_BYTES);
    leafHashesInto(
      fingerprints.subarray(run.offset, run.offset + run.count * HASH_BYTES),
      run.count,
      scratch,
    );
    rootOfLeafHashes(scratch, run.count).copy(roots, i * HASH_BYTES);
  });
  return roots;
}
