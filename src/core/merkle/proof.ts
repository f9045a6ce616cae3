/**
 * Inclusion proofs (RFC 9162 §2.1.3) and consistency proofs (RFC 9162 §2.1.4): building them, and
 * checking them with SHA-256 alone.
 */
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
  return verifyInclusionOfLeafHash(leafHash(leafData), index, size, path, root);
}

/** verifyInclusion for a leaf given by its RFC 6962 leaf hash (as transparency-dev's probes are). */
export function verifyInclusionOfLeafHash(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (leaf.length !== HASH_BYTES) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
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

/**
 * RFC 9162 §2.1.4.1: the consistency proof PROOF(m, D[n]) that the tree of `size1` leaves is a
 * prefix of the tree of `size2`, asking `rootOf(start, end)` for the MTH of D[start:end].
 */
export function consistencyPathWith<H>(
  size1: number,
  size2: number,
  rootOf: (start: number, end: number) => H,
): H[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
  }
  const out: H[] = [];
  // SUBPROOF(m, D[start:end], b), unrolled: each step appends one sibling, innermost last.
  const steps: H[] = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let whole = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      steps.push(rootOf(start + k, end));
      end = start + k;
    } else {
      steps.push(rootOf(start, start + k));
      start += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) out.push(rootOf(start, end));
  // RFC 9162 lists the innermost subproof first.
  return out.concat(steps.reverse());
}

/** RFC 9162 §2.1.4.1 over every leaf hash. */
export function consistencyPath(hashes: readonly Buffer[], size1: number): Buffer[] {
  return consistencyPathWith(size1, hashes.length, (start, end) => subtreeRoot(hashes, start, end));
}

/**
 * RFC 9162 §2.1.4.2: verifies that `root2` (size2 leaves) extends `root1` (size1 leaves) without
 * changing a leaf. Sizes and path come from outside: anything out of range fails. Equal sizes need
 * an empty path and equal roots; size1 = 0 is refused (SPEC §2: a proof from the empty tree
 * proves nothing).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  path: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1) {
    return false;
  }
  if (path.some((p) => p.length !== HASH_BYTES)) return false;
  // Roots are compared, never hashed: their length is not checked (a wrong one just fails).
  const same = (a: Uint8Array, b: Uint8Array) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  if (size1 === 0) return false;
  if (size1 === size2) return path.length === 0 && same(root1, root2);
  if (path.length === 0) return false;
  // A size1 that is a power of two is a whole subtree: its root starts the path.
  const proof = (size1 & (size1 - 1)) === 0 ? [root1, ...path] : [...path];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(proof[0]);
  let sr: Buffer = Buffer.from(proof[0]);
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, root1) && same(sr, root2);
}
