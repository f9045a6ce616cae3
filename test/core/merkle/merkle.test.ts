import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompactRange,
  EMPTY_ROOT,
  RepeatedLeaf,
  decompose,
  fromHex,
  inclusionPath,
  leafHash,
  leafHashes,
  merkleRoot,
  consistencyPath,
  subtreeRoot,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifyInclusionOfLeafHash,
} from '../../../src/core/merkle';
import { canonicalJson, fingerprint } from '../../../src/core/samples/fingerprint';
import { OriginsTree, originLeafData } from '../../../src/core/sessions/origins-root';
import {
  FingerprintVectors,
  Rfc6962Vectors,
  V2Vectors,
  VECTORS_DIR,
  jcsVectorNames,
  readVector,
} from '../../helpers/vectors';

const rfc = readVector<Rfc6962Vectors>('rfc6962.json');
const fpv = readVector<FingerprintVectors>('fingerprints.json');
const rfcLeaves = rfc.leaf_inputs_hex.map((h) => Buffer.from(h, 'hex'));

describe('RFC 8785 canonical JSON', () => {
  it.each(jcsVectorNames())('canonicalises jcs/%s exactly', (name) => {
    const input = JSON.parse(readFileSync(join(VECTORS_DIR, 'jcs', `${name}.in.json`), 'utf8'));
    const expected = readFileSync(join(VECTORS_DIR, 'jcs', `${name}.out.json`));
    expect(Buffer.from(canonicalJson(input), 'utf8').equals(expected)).toBe(true);
  });

  it('refuses values with no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(/no JSON representation/);
  });
});

describe('sample fingerprints (SPEC §1)', () => {
  it.each(fpv.samples.map((s, i) => [i, s] as const))('vector %i', (_i, sample) => {
    const record = JSON.parse(sample.line);
    expect(canonicalJson(record)).toBe(sample.jcs);
    expect(toHex(fingerprint(canonicalJson(record)))).toBe(sample.fingerprint);
    if (sample.content_field) {
      expect(toHex(fingerprint(record[sample.content_field]))).toBe(sample.fingerprint_of_field);
    }
  });

  it('ignores key order, whitespace and number spelling', () => {
    const a = fingerprint(canonicalJson(JSON.parse('{"b":1,"a":2.0}')));
    const b = fingerprint(canonicalJson(JSON.parse('{"a":2, "b":1}')));
    expect(a.equals(b)).toBe(true);
  });
});

describe('RFC 6962 Merkle tree hash', () => {
  it('hashes the empty tree to SHA-256("")', () => {
    expect(toHex(EMPTY_ROOT)).toBe(rfc.root_by_tree_size[0]);
  });

  it.each(rfc.root_by_tree_size.map((root, size) => [size, root] as const))(
    'matches the public vector for a tree of %i leaves',
    (size, root) => {
      expect(toHex(merkleRoot(rfcLeaves.slice(0, size)))).toBe(root);
    },
  );

  it.each(fpv.roots.map((r, i) => [i, r] as const))('matches Origin root vector %i', (_i, v) => {
    expect(toHex(merkleRoot(v.fingerprints.map((h) => fromHex(h))))).toBe(v.root);
  });
});

describe('CompactRange', () => {
  it('gives the same root after a serialise/deserialise at every size', () => {
    const range = new CompactRange();
    for (let i = 0; i < rfcLeaves.length; i++) {
      const restored = CompactRange.deserialize(range.size, range.serialize());
      restored.appendLeafHash(leafHash(rfcLeaves[i]));
      range.appendLeafHash(leafHash(rfcLeaves[i]));
      expect(toHex(restored.root())).toBe(rfc.root_by_tree_size[i + 1]);
      expect(toHex(range.root())).toBe(rfc.root_by_tree_size[i + 1]);
    }
  });

  it('appends runs of leaves as their perfect subtrees, from any size', () => {
    const fps = Array.from({ length: 40 }, (_, i) =>
      fromHex(createHash('sha256').update(`l${i}`).digest('hex')),
    );
    const hashes = Buffer.concat(fps.map((fp) => leafHash(fp)));
    for (let begin = 0; begin <= 20; begin++) {
      for (let count = 0; begin + count <= 40; count += 3) {
        const range = new CompactRange();
        for (let i = 0; i < begin; i++) range.appendLeafHash(leafHash(fps[i]));
        range.appendLeafHashes(hashes.subarray(begin * 32), count);
        expect([begin, count, toHex(range.root())]).toEqual([
          begin,
          count,
          toHex(merkleRoot(fps.slice(0, begin + count))),
        ]);
      }
    }
  });

  it('appends runs of one repeated leaf exactly as leaf by leaf, from any size', () => {
    const leaves = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    const repeated = leaves.map((l) => new RepeatedLeaf(l));
    for (const start of [0, 1, 3, 8, 13]) {
      for (const count of [1, 2, 5, 16, 37]) {
        const fast = new CompactRange();
        const plain = new CompactRange();
        for (let i = 0; i < start; i++) {
          fast.appendLeafHash(leaves[i % 2]);
          plain.appendLeafHash(leaves[i % 2]);
        }
        fast.appendRepeatedLeaf(repeated[1], count);
        fast.appendRepeatedLeaf(repeated[0], 3);
        for (let i = 0; i < count; i++) plain.appendLeafHash(leaves[1]);
        for (let i = 0; i < 3; i++) plain.appendLeafHash(leaves[0]);
        expect(toHex(fast.serialize())).toBe(toHex(plain.serialize()));
        expect(toHex(fast.root())).toBe(toHex(plain.root()));
      }
    }
  });

  it('refuses a frontier that does not fit its size', () => {
    expect(() => CompactRange.deserialize(3, Buffer.alloc(32))).toThrow(/needs 2 frontier hashes/);
    expect(() => CompactRange.deserialize(1, Buffer.alloc(31))).toThrow(/multiple of 32/);
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3)', () => {
  const leaves = Array.from({ length: 37 }, (_, i) => fingerprint(`sample ${i}`));

  it('proves and verifies every leaf of every tree size up to 37', () => {
    for (let size = 1; size <= leaves.length; size++) {
      const tree = leaves.slice(0, size);
      const hashes = leafHashes(tree);
      const root = merkleRoot(tree);
      for (let index = 0; index < size; index++) {
        const path = inclusionPath(hashes, index);
        expect(verifyInclusion(tree[index], index, size, path, root)).toBe(true);
      }
    }
  });

  it('rejects a wrong leaf, index, size, root or path', () => {
    const tree = leaves.slice(0, 13);
    const root = merkleRoot(tree);
    const path = inclusionPath(leafHashes(tree), 5);
    expect(verifyInclusion(tree[6], 5, 13, path, root)).toBe(false);
    expect(verifyInclusion(tree[5], 4, 13, path, root)).toBe(false);
    // A size that changes the path shape must fail (a size with the same shape is bound by the root).
    expect(verifyInclusion(tree[5], 5, 17, path, root)).toBe(false);
    expect(verifyInclusion(tree[5], 5, 13, path, fingerprint('other'))).toBe(false);
    expect(verifyInclusion(tree[5], 5, 13, path.slice(1), root)).toBe(false);
    expect(verifyInclusion(tree[5], 5, 13, [...path, path[0]], root)).toBe(false);
    const flipped = path.map((p) => Buffer.from(p));
    flipped[1][0] ^= 1;
    expect(verifyInclusion(tree[5], 5, 13, flipped, root)).toBe(false);
    expect(verifyInclusion(tree[5], 13, 13, path, root)).toBe(false);
  });

  it('refuses an index outside the tree', () => {
    expect(() => inclusionPath(leafHashes(leaves.slice(0, 4)), 4)).toThrow(
      /outside a tree of size 4/,
    );
  });
});

describe('decompose', () => {
  it('covers every range with the fewest aligned perfect subtrees', () => {
    for (let begin = 0; begin <= 70; begin++) {
      for (let end = begin; end <= 140; end++) {
        const pieces = decompose(begin, end);
        let at = begin;
        for (const [i, p] of pieces.entries()) {
          const width = 2 ** p.height;
          expect(p.start).toBe(at);
          expect(p.start % width).toBe(0);
          // Minimal: no two neighbours of one height that are the halves of an aligned parent.
          const next = pieces[i + 1];
          if (next && next.height === p.height) expect(p.start % (2 * width)).not.toBe(0);
          at += width;
        }
        expect(at).toBe(end);
      }
    }
    expect(decompose(3, 13)).toEqual([
      { start: 3, height: 0 },
      { start: 4, height: 2 },
      { start: 8, height: 2 },
      { start: 12, height: 0 },
    ]);
    expect(() => decompose(5, 4)).toThrow(/invalid leaf range/);
  });
});

describe('origins root (SPEC §2.1, vectors/v2.json)', () => {
  const v2 = readVector<V2Vectors>('v2.json').session;

  it('hashes each [source, license] as SHA-256(JCS) and builds the tree over them', () => {
    const leaves = v2.origins.map(([source, license]) => originLeafData(source, license));
    expect(leaves.map(toHex)).toEqual(v2.origin_leaf_data);
    expect(toHex(merkleRoot(leaves))).toBe(v2.origins_root);
    expect(inclusionPath(leafHashes(leaves), 3).map(toHex)).toEqual(
      v2.origins_inclusion_path_of_index_3,
    );
  });

  it('builds the same root from runs of origin ids as from one leaf per observation', () => {
    const names = new Map<number, readonly [string, string]>(
      v2.origins.map((o, i) => [i, o] as const),
    );
    const tree = new OriginsTree((id) => names.get(id));
    // Observations 0 and 2 share an origin: give them one id, as the store does.
    tree.addRuns([0, 1, 1, 1, 0, 1, 3, 1, 4, 1], 10);
    expect(toHex(tree.root())).toBe(v2.origins_root);
    expect(() => new OriginsTree(() => undefined).addRuns([9, 1], 2)).toThrow(/origin 9/);
  });
});

interface ProbeFile {
  inclusion: {
    leaf_index: number;
    tree_size: number;
    root: string;
    leaf_hash: string;
    path: string[];
    desc: string;
    valid: boolean;
  }[];
  consistency: {
    size1: number;
    size2: number;
    root1: string;
    root2: string;
    path: string[];
    desc: string;
    valid: boolean;
  }[];
}

describe('consistency proofs (RFC 9162 §2.1.4)', () => {
  const probes = readVector<ProbeFile>('rfc9162-proofs.json');
  const hex = (h: string) => Buffer.from(h, 'hex');

  it.each(probes.consistency.map((p, i) => [i, p.desc, p] as const))(
    'agrees with consistency probe %i (%s)',
    (_i, _d, p) => {
      expect(verifyConsistency(p.size1, p.size2, hex(p.root1), hex(p.root2), p.path.map(hex))).toBe(
        p.valid,
      );
    },
  );

  it.each(probes.inclusion.map((p, i) => [i, p.desc, p] as const))(
    'agrees with inclusion probe %i (%s)',
    (_i, _d, p) => {
      expect(
        verifyInclusionOfLeafHash(
          hex(p.leaf_hash),
          p.leaf_index,
          p.tree_size,
          p.path.map(hex),
          hex(p.root),
        ),
      ).toBe(p.valid);
    },
  );

  it('builds proofs that verify between every pair of sizes up to 33, and only those', () => {
    const hashes = leafHashes(
      rfcLeaves.concat(Array.from({ length: 25 }, (_, i) => Buffer.from([i]))),
    );
    for (let n = 1; n <= 33; n++) {
      const tree = hashes.slice(0, n);
      const root2 = subtreeRootOf(tree);
      for (let m = 1; m <= n; m++) {
        const root1 = subtreeRootOf(tree.slice(0, m));
        const path = consistencyPath(tree, m);
        expect(verifyConsistency(m, n, root1, root2, path)).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, root2, root1, path)).toBe(false);
          const bent = path.map((h, i) => (i === path.length - 1 ? leafHash(h) : h));
          expect(verifyConsistency(m, n, root1, root2, bent)).toBe(false);
        }
      }
    }
  });

  it('gives the consistency proof of vectors/v2.json between sizes 3 and 5 of the session', () => {
    const v2 = readVector<V2Vectors>('v2.json').session;
    const tree = leafHashes(v2.fingerprints.map((f) => Buffer.from(f, 'hex')));
    expect(consistencyPath(tree, 3).map(toHex)).toEqual(v2.consistency_3_to_5);
    expect(toHex(subtreeRootOf(tree.slice(0, 3)))).toBe(v2.root_of_first_3);
    expect(
      verifyConsistency(
        3,
        5,
        hex(v2.root_of_first_3),
        hex(v2.root),
        v2.consistency_3_to_5.map(hex),
      ),
    ).toBe(true);
  });
});

function subtreeRootOf(hashes: Buffer[]): Buffer {
  return subtreeRoot(hashes, 0, hashes.length);
}
