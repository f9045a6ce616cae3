/** Inclusion proofs, RFC 9162 §2.1.3: building an audit path, and checking one with SHA-256 alone. */
import { HASH_BYTES, leafHash, nodeHash } from './hash';
import { splitPoint, subtreeRoot } from './tree';

/**
 * RFC 9162 §2.1.3.1: the audit path PATH(m, D[n]) for leaf `index`, given every leaf hash.
 * Returned bottom-up (the sibling nearest the leaf first), as RFC 9162 orders it.
 */
export function inclusionPath(hashes: readonly Buffer[], index: number): Buffer[] {
  return inclusionPathWith(hashes.length, index, (start, end) => subtreeRoot(hashes, start, end));
}

/**
 * The audit path of leaf `index` in a tree of `size` leaves, asking `rootOf(start, end)` for the
 * MTH of each sibling subtree D[start:end] (so a caller can answer from subtree roots it has).
 */
export function inclusionPathWith<H>(
  size: number,
  index: number,
  rootOf: (start: number, end: number) => H,
): H[] {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  let start = 0;
  let end = size;
  let m = index;
  const siblings: H[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      siblings.push(rootOf(start + k, end));
      end = start + k;
    } else {
      siblings.push(rootOf(start, start + k));
      start += k;
      m -= k;
    }
  }
  // Collected top-down; the proof lists them from the leaf upwards.
  return siblings.reverse();
}

/**
 * RFC 9162 §2.1.3.2: verifies that `leafData` is leaf `index` of the tree of `size` leaves
 * whose root is `root`, using only SHA-256. The index, size and path come from outside: any
 * value that is not a safe integer in range, or a path entry that is not 32 bytes, fails.
 */
export function verifyInclusion(
  leafData: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = leafHash(leafData);
  for (const p of path) {
    if (p.length !== HASH_BYTES || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.compare(r, Buffer.from(root)) === 0;
}
