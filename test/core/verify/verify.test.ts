import { join } from 'node:path';
import { storedOriginsTree } from '../../../src/core/sessions/origins-root';
import { Store } from '../../../src/core/store/store';
import { randomBytes } from 'node:crypto';
import { SampleIndex, verifyStore } from '../../../src/core/verify';
import {
  OriginRuns,
  decodeOriginRuns,
  decodeOrigins,
  originNames,
} from '../../../src/core/store/observations';
import { CompactRange, leafHash, merkleRoot, sha256 } from '../../../src/core/merkle';
import { canonicalJson } from '../../../src/core/samples/fingerprint';
import { RECORD_FIELDS, origin, tempDir } from '../../helpers/cli';

describe('verify internals', () => {
  let dir: string;
  let cleanup: () => void;
  let store: Store;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('origin-verify-core-'));
    // Runs that change every record, continue across batches and ingests, and names that need
    // escaping in JSON, so the origins tree is held to its definition leaf by leaf.
    const sources = ['a', 'b "q"', 'ü\\\n', 'a'];
    const lines = (seed: number): string =>
      Array.from({ length: 70 }, (_, i) =>
        JSON.stringify({
          text: `t${seed}-${i}`,
          source: sources[Math.floor((i * seed) / 5) % sources.length],
          license: i % 11 < 6 ? 'MIT' : 'LicenseRef-"odd"',
        }),
      ).join('\n');
    const id = origin(['session', 'start'], { cwd: dir }).stdout.trim();
    for (const [seed, size] of [
      [1, 7],
      [3, 16],
      [7, 1024],
    ]) {
      const r = origin(
        ['ingest', '--session', id, '--batch-size', String(size), ...RECORD_FIELDS],
        { cwd: dir, input: lines(seed) },
      );
      if (r.status !== 0) throw new Error(r.stderr);
    }
    origin(['ingest', '--format', 'text'], { cwd: dir, input: 'x\ny\nx\n' });
    origin(['session', 'start'], { cwd: dir }); // an empty session
    store = await Store.open(join(dir, 'origin.db'), { mode: 'read' });
  });
  afterAll(async () => {
    cleanup();
    // store is unset when beforeAll failed; the directory goes first either way.
    if (store as Store | undefined) await store.abandon();
  });

  it('keeps the origins root and frontier of SPEC §2.1 across batches and appends', () => {
    const names = originNames(store);
    const sessions = store.all<{
      id: number;
      origins_root: Uint8Array;
      origins_frontier: Uint8Array;
    }>('SELECT id, origins_root, origins_frontier FROM sessions ORDER BY id');
    expect(sessions).toHaveLength(3);
    for (const s of sessions) {
      // The definition: one leaf per observation, SHA-256(JCS([source, license])), in order.
      const leaves: Buffer[] = [];
      for (const b of store.all<{ origins: Uint8Array; record_count: number }>(
        'SELECT origins, record_count FROM batches WHERE session_id = ? ORDER BY seq',
        [s.id],
      )) {
        for (const id of decodeOrigins(b.origins, b.record_count)) {
          const [source, license] = names.get(id)!;
          leaves.push(sha256(canonicalJson([source, license])));
        }
      }
      const reference = new CompactRange();
      leaves.forEach((leaf) => reference.appendLeafHash(leafHash(leaf)));
      expect(Buffer.from(s.origins_root).toString('hex')).toBe(merkleRoot(leaves).toString('hex'));
      expect(Buffer.from(s.origins_frontier).toString('hex')).toBe(
        reference.serialize().toString('hex'),
      );
      expect(storedOriginsTree(store, s.id).root().toString('hex')).toBe(
        merkleRoot(leaves).toString('hex'),
      );
    }
  });

  it('decodes origin runs exactly as decodeOrigins does, errors included', () => {
    const enc = new OriginRuns();
    const ids = [3, 3, 200, 200, 200, 1, 70000, 3];
    ids.forEach((id) => enc.add(id));
    const blob = enc.encode();
    const runs = decodeOriginRuns(blob, ids.length);
    const expanded: number[] = [];
    for (let r = 0; r < runs.length; r += 2) {
      for (let k = 0; k < runs[r + 1]; k++) expanded.push(runs[r]);
    }
    expect(expanded).toEqual(ids);
    expect([...decodeOrigins(blob, ids.length)]).toEqual(ids);
    const bad = [
      [blob, ids.length - 1, /covers more than the batch's 7 observations/],
      [blob, ids.length + 1, /covers 8 observations, the batch has 9/],
      [blob.subarray(0, blob.length - 1), ids.length, /ends inside a varint/],
      [Buffer.from([3, 0]), 0, /covers more than/],
      [Buffer.from([3, 0x80]), 1, /ends inside a varint/],
    ] as const;
    for (const [b, n, message] of bad) {
      expect(() => decodeOriginRuns(b, n)).toThrow(message);
      expect(() => decodeOrigins(b, n)).toThrow(message);
    }
  });

  it('re-derives every root of a sound store', async () => {
    const report = await verifyStore(store);
    expect(report.ok).toBe(true);
    expect(report.observations).toBe(213);
  });
});

describe('SampleIndex', () => {
  const fps = Array.from({ length: 3000 }, () => randomBytes(32));
  // Two fingerprints that share their first 24 bits.
  fps[1] = Buffer.concat([fps[0].subarray(0, 3), randomBytes(29)]);
  const sizeOf = (i: number): number => (i === 7 ? 2 ** 40 + 5 : i * 3);

  const lookup = (index: SampleIndex, fp: Buffer): number => {
    const leaves = new Uint8Array(32);
    leaves.set(fp);
    const out = new Float64Array(1);
    index.sizesOf(leaves, 0, 1, out);
    return out[0];
  };

  it.each([
    ['in fingerprint order', true],
    ['in any order', false],
  ])('finds every sample added %s, and nothing else', (_name, sorted) => {
    const order = fps.map((_, i) => i);
    if (sorted) order.sort((a, b) => Buffer.compare(fps[a], fps[b]));
    const index = new SampleIndex(fps.length);
    for (const i of order) expect(index.add(fps[i], sizeOf(i))).toBeUndefined();
    expect(index.unseen()).toBe(fps.length);
    fps.forEach((fp, i) => expect(lookup(index, fp)).toBe(sizeOf(i)));
    expect(index.unseen()).toBe(0);
    for (let k = 0; k < 100; k++) expect(lookup(index, randomBytes(32))).toBe(-1);
  });

  it('refuses malformed rows', () => {
    const index = new SampleIndex(1);
    expect(index.add(randomBytes(31), 1)).toMatch(/not 32 bytes/);
    expect(index.add('text', 1)).toMatch(/not 32 bytes/);
    expect(index.add(randomBytes(32), -1)).toMatch(/not a byte count/);
    expect(index.add(randomBytes(32), 1.5)).toMatch(/not a byte count/);
    expect(index.add(randomBytes(32), 1)).toBeUndefined();
    expect(index.add(randomBytes(32), 1)).toMatch(/more rows/);
  });
});
