/**
 * Compact ranges (transparency-dev/merkle's `compact` package): the perfect subtrees that cover a
 * range of leaves, and the right frontier of an append-only tree built from them.
 */
import { EMPTY_ROOT, HASH_BYTES, nodeHash } from './hash';
import { rootOfLeafHashes } from './tree';

/** A perfect subtree of 2^height leaves starting at leaf `start` (a multiple of 2^height). */
export interface Subtree {
  start: number;
  height: number;
}

/**
 * The minimal list of perfect subtrees that covers leaves [begin, end), left to right: the
 * subtrees grow in size from `begin` up to the largest aligned one, then shrink towards `end`
 * (compact.Decompose). The only place Origin decides which subtrees cover a range.
 */
export function decompose(begin: number, end: number): Subtree[] {
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin) {
    throw new RangeError(`invalid leaf range [${begin}, ${end})`);
  }
  const out: Subtree[] = [];
  let at = begin;
  while (at < end) {
    // The largest subtree aligned at `at` that still ends by `end` (every height is aligned at 0).
    let height = 0;
    while (at % 2 ** (height + 1) === 0 && at + 2 ** (height + 1) <= end) height++;
    out.push({ start: at, height });
    at += 2 ** height;
  }
  return out;
}

function popcount(n: number): number {
  let bits = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) bits += v % 2;
  return bits;
}

/**
 * The right frontier of an append-only RFC 6962 tree (the compact range [0, size)): one
 * perfect-subtree hash per set bit of `size`, largest first. Appending touches O(log n) hashes,
 * so a session root can be extended without re-reading earlier leaves.
 */
export class CompactRange {
  private nodes: Buffer[];
  private count: number;

  constructor(size = 0, nodes: Buffer[] = []) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid tree size ${size}`);
    if (nodes.length !== popcount(size)) {
      throw new RangeError(
        `a tree of size ${size} needs ${popcount(size)} frontier hashes, got ${nodes.length}`,
      );
    }
    this.count = size;
    this.nodes = nodes.slice();
  }

  get size(): number {
    return this.count;
  }

  /** Appends a leaf whose leaf hash (0x00-prefixed SHA-256) is known. */
  appendLeafHash(hash: Buffer): void {
    this.appendSubtree(hash, 0);
  }

  /**
   * Appends a whole perfect subtree of 2^height leaves given its root; the tree size must be a
   * multiple of 2^height. Equivalent to appending its leaves one by one, with no re-hashing.
   */
  appendSubtree(root: Buffer, height: number): void {
    const width = 2 ** height;
    if (this.count % width !== 0) {
      throw new RangeError(`a subtree of ${width} leaves cannot start at position ${this.count}`);
    }
    let merged = root;
    // Each trailing 1-bit of the size (in units of the subtree) is a subtree of equal height.
    for (let n = this.count / width; n % 2 === 1; n = (n - 1) / 2) {
      merged = nodeHash(this.nodes.pop() as Buffer, merged);
    }
    this.nodes.push(merged);
    this.count += width;
  }

  /**
   * Appends `count` leaves given their leaf hashes back to back, one perfect subtree at a time
   * (see decompose). `knownRoot`, when given, is the MTH of these leaves: used when they form a
   * single subtree, so it is not hashed twice.
   */
  appendLeafHashes(hashes: Uint8Array, count: number, knownRoot?: Buffer): void {
    const begin = this.count;
    for (const piece of decompose(begin, begin + count)) {
      const width = 2 ** piece.height;
      if (width === count && knownRoot) {
        this.appendSubtree(knownRoot, piece.height);
        continue;
      }
      const from = (piece.start - begin) * HASH_BYTES;
      const copy = Buffer.from(hashes.subarray(from, from + width * HASH_BYTES));
      this.appendSubtree(rootOfLeafHashes(copy, width), piece.height);
    }
  }

  /**
   * Appends `count` copies of one leaf: each perfect subtree that covers them (see decompose) is a
   * tree of equal leaves, whose root `leaf` knows for every height. A run of n equal leaves costs
   * O(log n) hashes, not n.
   */
  appendRepeatedLeaf(leaf: RepeatedLeaf, count: number): void {
    if (count === 1) {
      this.appendSubtree(leaf.root(0), 0);
      return;
    }
    for (const piece of decompose(this.count, this.count + count)) {
      this.appendSubtree(leaf.root(piece.height), piece.height);
    }
  }

  /** MTH of all leaves so far: fold the frontier from the smallest subtree to the largest. */
  root(): Buffer {
    if (this.count === 0) return EMPTY_ROOT;
    let acc = this.nodes[this.nodes.length - 1];
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeHash(this.nodes[i], acc);
    return acc;
  }

  /** The frontier hashes concatenated, for storage. */
  serialize(): Buffer {
    return Buffer.concat(this.nodes);
  }

  static deserialize(size: number, bytes: Uint8Array): CompactRange {
    if (bytes.length % HASH_BYTES !== 0)
      throw new RangeError('frontier length is not a multiple of 32');
    const nodes: Buffer[] = [];
    for (let off = 0; off < bytes.length; off += HASH_BYTES) {
      nodes.push(Buffer.from(bytes.subarray(off, off + HASH_BYTES)));
    }
    return new CompactRange(size, nodes);
  }
}

/** The roots of perfect trees of 2^height copies of one leaf, computed once per height. */
export class RepeatedLeaf {
  private readonly roots: Buffer[];

  /** `leafHash`: the leaf's RFC 6962 leaf hash. */
  constructor(leafHash: Buffer) {
    this.roots = [leafHash];
  }

  root(height: number): Buffer {
    while (this.roots.length <= height) {
      const below = this.roots[this.roots.length - 1];
      this.roots.push(nodeHash(below, below));
    }
    return this.roots[height];
  }
}
