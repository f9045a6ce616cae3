import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inclusionPath, leafHashes, merkleRoot, sha256, toHex } from '../../../src/core/merkle';
import { ingest } from '../../../src/core/ingest/ingest';
import { buildProof, checkProof } from '../../../src/core/samples/prove';
import { UsageError } from '../../../src/core/errors';
import { createSession } from '../../../src/core/sessions/session';
import { Store } from '../../../src/core/store/store';

/** A proof built with fingerprint.ts alone, as `origin prove` writes it. */
function proofFor(leaves: Buffer[], index: number): Record<string, unknown> {
  return {
    version: 1,
    algorithm: 'RFC9162-SHA256',
    leaf_index: index,
    tree_size: leaves.length,
    fingerprint: toHex(leaves[index]),
    root: toHex(merkleRoot(leaves)),
    path: inclusionPath(leafHashes(leaves), index).map((h) => toHex(h)),
  };
}

const text = (doc: unknown): string => JSON.stringify(doc);

describe('checkProof (RFC 9162 §2.1.3.2, offline)', () => {
  const leaves = Array.from({ length: 21 }, () => randomBytes(32));

  it('accepts the proof of every leaf of every tree size up to 21', () => {
    for (let n = 1; n <= leaves.length; n++) {
      for (let i = 0; i < n; i++) {
        const r = checkProof(text(proofFor(leaves.slice(0, n), i)));
        expect({ n, i, valid: r.valid, reason: r.reason }).toEqual({
          n,
          i,
          valid: true,
          reason: null,
        });
      }
    }
  });

  it('rejects a proof moved to another index or tree size', () => {
    const p = proofFor(leaves, 6);
    expect(checkProof(text({ ...p, leaf_index: 7 })).valid).toBe(false);
    expect(checkProof(text({ ...p, leaf_index: 5 })).valid).toBe(false);
    // A size that changes the shape of the path. (A size with the same shape, 20 or 22 here,
    // leads to the same root: RFC 9162 binds the size through the root, which must be trusted.)
    expect(checkProof(text({ ...p, tree_size: 7 })).valid).toBe(false);
    expect(checkProof(text({ ...p, tree_size: 9 })).valid).toBe(false);
    expect(checkProof(text({ ...p, path: (p.path as string[]).slice(1) })).valid).toBe(false);
  });

  it('rejects malformed values as invalid, not as usage errors', () => {
    const p = proofFor(leaves, 3);
    const cases: Record<string, unknown>[] = [
      { ...p, leaf_index: 21 },
      { ...p, leaf_index: -1 },
      { ...p, leaf_index: 1.5 },
      { ...p, leaf_index: '3' },
      { ...p, tree_size: 0 },
      { ...p, fingerprint: (p.fingerprint as string).toUpperCase() },
      { ...p, fingerprint: `${p.fingerprint as string}00` },
      { ...p, root: 'zz'.repeat(32) },
      { ...p, path: 'abc' },
      { ...p, path: [...(p.path as string[]), 7] },
    ];
    for (const c of cases) {
      const r = checkProof(text(c));
      expect(r.valid).toBe(false);
      expect(r.reason).toEqual(expect.any(String));
    }
  });

  it('treats what is not a proof as a usage error', () => {
    const p = proofFor(leaves, 3);
    for (const bad of [
      '',
      'nope',
      '[]',
      'null',
      text({ ...p, path: undefined }),
      text({ ...p, version: 2 }),
    ]) {
      expect(() => checkProof(bad)).toThrow(UsageError);
    }
    expect(() => checkProof(text(p), 'not hex')).toThrow(UsageError);
  });

  it('checks the root against --root', () => {
    const p = proofFor(leaves, 3);
    const ok = checkProof(text(p), (p.root as string).toUpperCase());
    expect(ok).toMatchObject({ valid: true, root_matches: true });
    const other = checkProof(text(p), toHex(randomBytes(32)));
    expect(other).toMatchObject({ valid: false, root_matches: false });
  });
});

describe('buildProof on stored sessions', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'origin-proof-'));
    store = await Store.open(join(dir, 'o.db'), { mode: 'create' });
  });
  afterAll(async () => {
    await store.abandon();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Ingests `texts` (one per line) with these batch sizes, one ingest each, into one session. */
  const session = async (parts: { texts: string[]; batchSize: number }[]): Promise<string> => {
    const id = createSession(store).uid;
    for (const { texts, batchSize } of parts) {
      await ingest(store, {
        inputs: [],
        stdin: Readable.from([Buffer.from(`${texts.join('\n')}\n`)]),
        format: 'text',
        batchSize,
        maxLineBytes: 1 << 20,
        session: id,
        skipInvalid: false,
      });
    }
    return id;
  };

  it.each([
    ['aligned power-of-two batches', [{ n: 70, b: 8 }]],
    [
      'batches of 5, then of 4 and of 16',
      [
        { n: 23, b: 5 },
        { n: 9, b: 4 },
        { n: 40, b: 16 },
      ],
    ],
    ['one batch', [{ n: 13, b: 1024 }]],
    ['batches of one', [{ n: 9, b: 1 }]],
  ])('gives the reference audit path for every observation: %s', async (_, layout) => {
    let next = 0;
    const parts = layout.map(({ n, b }) => ({
      texts: Array.from({ length: n }, () => `sample ${next++}`),
      batchSize: b,
    }));
    const id = await session(parts);
    const all = parts.flatMap((p) => p.texts).map((t) => sha256(t));
    const hashes = leafHashes(all);
    const root = toHex(merkleRoot(all));
    for (let i = 0; i < all.length; i++) {
      const proof = buildProof(store, id, { sample: toHex(all[i]) });
      expect(proof).toMatchObject({ leaf_index: i, tree_size: all.length, root });
      expect(proof.path).toEqual(inclusionPath(hashes, i).map((h) => toHex(h)));
      expect(checkProof(JSON.stringify(proof)).valid).toBe(true);
    }
  });
});
