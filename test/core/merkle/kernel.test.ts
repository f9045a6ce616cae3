import { createHash, randomBytes } from 'node:crypto';
import { CompactRange, leafHash, merkleRoot, nodeHash } from '../../../src/core/merkle';
import {
  TreeJob,
  hashJobs,
  kernel,
  merkleKernel,
  sharedBytes,
} from '../../../src/core/merkle/kernel';

const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const leavesOf = (buf: Uint8Array, offset: number, count: number): Buffer[] =>
  Array.from({ length: count }, (_, i) =>
    Buffer.from(buf.subarray(offset + 32 * i, offset + 32 * i + 32)),
  );

describe('merkle kernel (SHA-256 specialised to RFC 6962 leaves and nodes)', () => {
  const k = merkleKernel();

  it('hashes leaves and nodes exactly as SHA-256 does', () => {
    const src = randomBytes(32 * 200);
    const out = Buffer.alloc(32);
    for (let i = 0; i < 100; i++) {
      k.leaf(src, 32 * i, out, 0);
      expect(out.equals(sha(Buffer.from([0]), src.subarray(32 * i, 32 * i + 32)))).toBe(true);
      expect(out.equals(leafHash(src.subarray(32 * i, 32 * i + 32)))).toBe(true);
      const r = 32 * ((i * 37) % 200);
      k.node(src, 32 * i, r, out, 0);
      const left = src.subarray(32 * i, 32 * i + 32);
      const right = src.subarray(r, r + 32);
      expect(out.equals(sha(Buffer.from([1]), left, right))).toBe(true);
      expect(out.equals(nodeHash(left, right))).toBe(true);
    }
  });

  it('reduces to the RFC 6962 root for every size up to 70 and some larger ones', () => {
    const src = randomBytes(32 * 1100);
    for (const n of [...Array.from({ length: 70 }, (_, i) => i + 1), 127, 128, 129, 1000, 1100]) {
      const hashes = new Uint8Array(32 * n);
      k.leafHashes(src, 0, n, hashes, 0);
      k.reduce(hashes, 0, n);
      expect(Buffer.from(hashes.subarray(0, 32)).toString('hex')).toBe(
        merkleRoot(leavesOf(src, 0, n)).toString('hex'),
      );
    }
  });

  it('gives batch roots and session subtrees that extend a compact range exactly', async () => {
    // Batches of awkward sizes, aligned and not, as several ingests of one session would leave.
    const sizes = [3, 5, 8, 16, 1, 7, 32, 32, 2, 100, 64];
    const total = sizes.reduce((a, b) => a + b, 0);
    const leaves = sharedBytes(32 * total);
    leaves.set(randomBytes(32 * total));
    const jobs: TreeJob[] = [];
    let pos = 0;
    for (const count of sizes) {
      jobs.push({ offset: 32 * pos, count, start: pos });
      pos += count;
    }
    for (const workers of [0, 1, 2]) {
      const result = await hashJobs(leaves, jobs, { workers, fallback: false });
      const range = new CompactRange();
      jobs.forEach((job, j) => {
        const own = leavesOf(leaves, job.offset, job.count);
        const root = Buffer.from(result.roots.subarray(32 * j, 32 * j + 32));
        expect(root.toString('hex')).toBe(merkleRoot(own).toString('hex'));
        const subtrees = result.subtrees.filter((s) => s.job === j);
        if (subtrees.length === 0) range.appendSubtree(root, Math.log2(job.count));
        for (const s of subtrees) range.appendSubtree(Buffer.from(s.hash), s.height);
      });
      expect(range.size).toBe(total);
      expect(range.root().toString('hex')).toBe(
        merkleRoot(leavesOf(leaves, 0, total)).toString('hex'),
      );
    }
  });

  it('is the same kernel in-process', () => {
    expect(kernel()).toBe(kernel());
  });
});
