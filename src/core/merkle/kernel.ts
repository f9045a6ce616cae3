/**
 * Bulk RFC 6962 / RFC 9162 §2.1 tree hashing for `origin verify` and `origin prove`: every batch
 * root of a store, re-derived from its fingerprints column, as fast as one machine allows.
 *
 * Two things make it fast:
 * - `merkleKernel` is SHA-256 (FIPS 180-4 §6.2) specialised to the only two inputs RFC 6962
 *   hashes here — a leaf 0x00‖d (33 bytes, one block) and a node 0x01‖left‖right (65 bytes, two
 *   blocks) — reading straight from and writing straight into flat byte arrays, with no allocation
 *   and no native call per hash: about twice as fast as node:crypto on inputs this small.
 * - The batches are shared (SharedArrayBuffer) with worker threads that hash them while the main
 *   thread runs the checks that need no hashing. The kernel is one self-contained function, so a
 *   worker runs its source text; no file has to exist beside the code (a single-file executable
 *   works too), and any worker failure falls back to hashing in-process.
 *
 * The results are checked against fingerprint.ts (the reference implementation) in the tests.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** A run of leaves to hash: `count` fingerprints at byte `offset`, the first at tree position `start`. */
export interface TreeJob {
  offset: number;
  count: number;
  start: number;
}

/** One perfect subtree of 2^height leaves of the enclosing (session) tree. */
export interface Subtree {
  job: number;
  height: number;
  hash: Uint8Array;
}

export interface TreeResults {
  /** MTH of each job's leaves: 32 bytes per job, in job order. */
  roots: Uint8Array;
  /**
   * For each job that is not itself one aligned perfect subtree of the enclosing tree, the
   * maximal perfect subtrees that cover [start, start + count), in order: appending them with
   * CompactRange.appendSubtree extends the enclosing tree exactly as its leaves one by one would.
   * A job that is aligned (count = 2^h, start a multiple of it) has none: its root is the subtree.
   */
  subtrees: Subtree[];
}

export interface MerkleKernel {
  /** out[ooff..+32] = SHA-256(0x00 ‖ src[off..+32]). */
  leaf(src: Uint8Array, off: number, out: Uint8Array, ooff: number): void;
  /** out[ooff..+32] = SHA-256(0x01 ‖ src[lo..+32] ‖ src[ro..+32]); out may overlap the inputs. */
  node(src: Uint8Array, lo: number, ro: number, out: Uint8Array, ooff: number): void;
  /** Leaf hashes of `count` fingerprints at src[off..] into out[ooff..]. */
  leafHashes(src: Uint8Array, off: number, count: number, out: Uint8Array, ooff: number): void;
  /** Replaces `count` ≥ 1 hashes at buf[off..] by their RFC 6962 MTH, left at buf[off..+32]. */
  reduce(buf: Uint8Array, off: number, count: number): void;
  /** Hashes every job; see TreeResults. */
  runJobs(leaves: Uint8Array, jobs: readonly TreeJob[]): TreeResults;
}

/**
 * The kernel. Self-contained on purpose (no reference to anything outside its body): worker
 * threads evaluate its source text.
 */
export function merkleKernel(): MerkleKernel {
  // prettier-ignore
  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  // prettier-ignore
  const IV = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const W = new Int32Array(16);
  const H = new Int32Array(8);

  /**
   * One SHA-256 compression of the block in W[0..16) into H (FIPS 180-4 §6.2.2), generated
   * unrolled: the 64 rounds with the message schedule in a rolling window of 16 locals and the
   * working variables renamed instead of shifted. V8 keeps it all in registers; about 1.5x the
   * speed of the loop it is generated from.
   */
  const compress = ((): (() => void) => {
    const v = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const rotr = (x: string, n: number): string => `((${x} >>> ${n}) | (${x} << ${32 - n}))`;
    let body =
      'let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];\n';
    body += 'let t1 = 0, t2 = 0;\n';
    for (let i = 0; i < 16; i++) body += `let w${i} = W[${i}];\n`;
    for (let i = 0; i < 64; i++) {
      const w = `w${i % 16}`;
      if (i >= 16) {
        const w15 = `w${(i - 15) % 16}`;
        const w2 = `w${(i - 2) % 16}`;
        const s0 = `(${rotr(w15, 7)} ^ ${rotr(w15, 18)} ^ (${w15} >>> 3))`;
        const s1 = `(${rotr(w2, 17)} ^ ${rotr(w2, 19)} ^ (${w2} >>> 10))`;
        body += `${w} = (w${(i - 16) % 16} + ${s0} + w${(i - 7) % 16} + ${s1}) | 0;\n`;
      }
      const [A, B, C, D, E, F, G, Hv] = v.map((_, k) => v[(k - (i % 8) + 8) % 8]);
      const S1 = `(${rotr(E, 6)} ^ ${rotr(E, 11)} ^ ${rotr(E, 25)})`;
      const S0 = `(${rotr(A, 2)} ^ ${rotr(A, 13)} ^ ${rotr(A, 22)})`;
      body += `t1 = (${Hv} + ${S1} + ((${E} & ${F}) ^ (~${E} & ${G})) + ${K[i]} + ${w}) | 0;\n`;
      body += `t2 = (${S0} + ((${A} & ${B}) ^ (${A} & ${C}) ^ (${B} & ${C}))) | 0;\n`;
      body += `${D} = (${D} + t1) | 0;\n${Hv} = (t1 + t2) | 0;\n`;
    }
    body += v.map((x, i) => `H[${i}] = (H[${i}] + ${x}) | 0;`).join('\n');
    const fn = new Function('W', 'H', body) as (w: Int32Array, h: Int32Array) => void;
    return () => fn(W, H);
  })();

  function digestInto(out: Uint8Array, ooff: number): void {
    for (let i = 0; i < 8; i++) {
      const v = H[i];
      const o = ooff + 4 * i;
      out[o] = v >>> 24;
      out[o + 1] = (v >>> 16) & 0xff;
      out[o + 2] = (v >>> 8) & 0xff;
      out[o + 3] = v & 0xff;
    }
  }

  /** Big-endian word of 4 bytes at src[p..]. */
  function word(src: Uint8Array, p: number): number {
    return (src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3];
  }

  function leaf(src: Uint8Array, off: number, out: Uint8Array, ooff: number): void {
    H.set(IV);
    // Message: 0x00, d[0..32), then padding 0x80 and the bit length 33 * 8 = 264.
    W[0] = (src[off] << 16) | (src[off + 1] << 8) | src[off + 2];
    for (let i = 1; i < 8; i++) W[i] = word(src, off + 4 * i - 1);
    W[8] = (src[off + 31] << 24) | 0x800000;
    for (let i = 9; i < 15; i++) W[i] = 0;
    W[15] = 264;
    compress();
    digestInto(out, ooff);
  }

  function node(src: Uint8Array, lo: number, ro: number, out: Uint8Array, ooff: number): void {
    H.set(IV);
    // Block 1: 0x01, left[0..32), right[0..31).
    W[0] = 0x01000000 | (src[lo] << 16) | (src[lo + 1] << 8) | src[lo + 2];
    for (let i = 1; i < 8; i++) W[i] = word(src, lo + 4 * i - 1);
    W[8] = (src[lo + 31] << 24) | (src[ro] << 16) | (src[ro + 1] << 8) | src[ro + 2];
    for (let i = 9; i < 16; i++) W[i] = word(src, ro + 4 * (i - 8) - 1);
    const last = src[ro + 31];
    compress();
    // Block 2: right[31], padding 0x80, the bit length 65 * 8 = 520.
    W[0] = (last << 24) | 0x800000;
    for (let i = 1; i < 15; i++) W[i] = 0;
    W[15] = 520;
    compress();
    digestInto(out, ooff);
  }

  function leafHashes(
    src: Uint8Array,
    off: number,
    count: number,
    out: Uint8Array,
    ooff: number,
  ): void {
    for (let i = 0; i < count; i++) leaf(src, off + 32 * i, out, ooff + 32 * i);
  }

  /**
   * RFC 6962 MTH bottom up: pair neighbours level by level and carry an odd last node up
   * unchanged. That is the same tree as the recursive split at the largest power of two < n.
   */
  function reduce(buf: Uint8Array, off: number, count: number): void {
    let m = count;
    while (m > 1) {
      const half = m >>> 1;
      for (let i = 0; i < half; i++) node(buf, off + 64 * i, off + 64 * i + 32, buf, off + 32 * i);
      if (m & 1) buf.copyWithin(off + 32 * half, off + 32 * (m - 1), off + 32 * m);
      m = half + (m & 1);
    }
  }

  function runJobs(leaves: Uint8Array, jobs: readonly TreeJob[]): TreeResults {
    const roots = new Uint8Array(32 * jobs.length);
    const subtrees: Subtree[] = [];
    let scratch = new Uint8Array(0);
    let copy = new Uint8Array(0);
    for (let j = 0; j < jobs.length; j++) {
      const { offset, count, start } = jobs[j];
      if (count === 0) continue;
      if (scratch.length < 32 * count) {
        scratch = new Uint8Array(32 * count);
        copy = new Uint8Array(32 * count);
      }
      leafHashes(leaves, offset, count, scratch, 0);
      const aligned = (count & (count - 1)) === 0 && start % count === 0;
      if (!aligned) copy.set(scratch.subarray(0, 32 * count));
      reduce(scratch, 0, count);
      roots.set(scratch.subarray(0, 32), 32 * j);
      if (aligned) continue;
      // Maximal perfect subtrees of the enclosing tree over [start, start + count).
      let pos = start;
      const end = start + count;
      while (pos < end) {
        let width = 1;
        let height = 0;
        while (pos % (width * 2) === 0 && pos + width * 2 <= end) {
          width *= 2;
          height++;
        }
        const at = 32 * (pos - start);
        reduce(copy, at, width);
        subtrees.push({ job: j, height, hash: copy.slice(at, at + 32) });
        pos += width;
      }
    }
    return { roots, subtrees };
  }

  return { leaf, node, leafHashes, reduce, runJobs };
}

/** Worker source: the kernel above, answering one message of jobs. */
const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const kernel = (${merkleKernel.toString()})();
parentPort.once('message', (msg) => {
  const result = kernel.runJobs(new Uint8Array(msg.leaves), msg.jobs);
  parentPort.postMessage(result, [result.roots.buffer]);
});
`;

export interface HashOptions {
  /** Worker threads to use; 0 hashes in-process. Default: by CPU count and work size. */
  workers?: number;
  /** Hash in-process when a worker fails (default); false rejects instead. */
  fallback?: boolean;
}

/** Below this many leaves, starting a worker costs more than it saves. */
const WORKER_THRESHOLD = 65536;

function defaultWorkers(leafCount: number): number {
  if (leafCount < WORKER_THRESHOLD) return 0;
  // The main thread keeps working (the non-hashing checks); leave it one CPU.
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** Splits jobs into up to n contiguous chunks of about equal leaf counts. */
function chunk(jobs: readonly TreeJob[], n: number): { first: number; jobs: TreeJob[] }[] {
  const total = jobs.reduce((sum, j) => sum + j.count, 0);
  const target = total / n;
  const chunks: { first: number; jobs: TreeJob[] }[] = [];
  let current: TreeJob[] = [];
  let first = 0;
  let acc = 0;
  jobs.forEach((job, i) => {
    current.push(job);
    acc += job.count;
    if (acc >= target * (chunks.length + 1) && chunks.length < n - 1) {
      chunks.push({ first, jobs: current });
      current = [];
      first = i + 1;
    }
  });
  if (current.length > 0) chunks.push({ first, jobs: current });
  return chunks;
}

function inWorker(leaves: SharedArrayBuffer, jobs: TreeJob[]): Promise<TreeResults> {
  return new Promise((resolveResult, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    let settled = false;
    worker.once('message', (result: TreeResults) => {
      settled = true;
      resolveResult(result);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`hashing worker exited with code ${code}`));
    });
    worker.postMessage({ leaves, jobs });
  });
}

let local: MerkleKernel | undefined;

/** The kernel of this thread. */
export function kernel(): MerkleKernel {
  local ??= merkleKernel();
  return local;
}

/**
 * Hashes every job, on worker threads when the work is large enough (the promise resolves
 * while the caller's thread keeps working), in-process otherwise or when a worker fails.
 */
export async function hashJobs(
  leaves: Uint8Array,
  jobs: readonly TreeJob[],
  options: HashOptions = {},
): Promise<TreeResults> {
  const leafCount = jobs.reduce((sum, j) => sum + j.count, 0);
  const workers = options.workers ?? defaultWorkers(leafCount);
  const shared = leaves.buffer instanceof SharedArrayBuffer ? leaves.buffer : undefined;
  if (workers <= 0 || jobs.length === 0 || !shared || leaves.byteOffset !== 0) {
    return kernel().runJobs(leaves, jobs);
  }
  const chunks = chunk(jobs, workers);
  const parts = await Promise.all(
    chunks.map((c) =>
      inWorker(shared, c.jobs).catch((err: unknown) => {
        if (options.fallback === false) throw err;
        return kernel().runJobs(leaves, c.jobs);
      }),
    ),
  );
  const roots = new Uint8Array(32 * jobs.length);
  const subtrees: Subtree[] = [];
  chunks.forEach((c, i) => {
    roots.set(parts[i].roots, 32 * c.first);
    for (const s of parts[i].subtrees) subtrees.push({ ...s, job: s.job + c.first });
  });
  return { roots, subtrees };
}

/** A SharedArrayBuffer-backed byte array (workers read it without a copy). */
export function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}
