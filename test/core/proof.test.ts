import { randomBytes } from 'node:crypto';
import { inclusionPath, leafHashes, merkleRoot, toHex } from '../../src/core/fingerprint';
import { checkProof } from '../../src/core/proof';
import { UsageError } from '../../src/core/errors';

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
