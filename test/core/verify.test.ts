import { join } from 'node:path';
import { computeOriginsDigest } from '../../src/core/origins-digest';
import { Store } from '../../src/core/store';
import { streamOriginsDigest, verifyStore } from '../../src/core/verify';
import { decodeOrigins } from '../../src/core/observations';
import { origin, tempDir } from '../helpers/cli';

describe('verify internals', () => {
  let dir: string;
  let cleanup: () => void;
  let store: Store;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('origin-verify-core-'));
    // Runs that change every record, continue across batches and ingests, and names that need
    // escaping in JSON, so the streamed digest is held to the reference byte for byte.
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
        [
          'ingest',
          '--session',
          id,
          '--batch-size',
          String(size),
          '--content-field',
          'text',
          '--source-field',
          'source',
          '--license-field',
          'license',
        ],
        { cwd: dir, input: lines(seed) },
      );
      if (r.status !== 0) throw new Error(r.stderr);
    }
    origin(['ingest', '--format', 'text'], { cwd: dir, input: 'x\ny\nx\n' });
    origin(['session', 'start'], { cwd: dir }); // an empty session
    store = await Store.open(join(dir, 'origin.db'), { mode: 'read' });
  });
  afterAll(async () => {
    await store.abandon();
    cleanup();
  });

  it('streams the same origins digest as computeOriginsDigest', () => {
    const names = new Map<number, readonly [string, string]>(
      store
        .all<{ id: number; source: string; license: string }>(
          `SELECT o.id, s.name AS source, l.expression AS license
             FROM origins o JOIN sources s ON s.id = o.source_id JOIN licenses l ON l.id = o.license_id`,
        )
        .map((r) => [r.id, [r.source, r.license]]),
    );
    const sessions = store.all<{ id: number }>('SELECT id FROM sessions ORDER BY id');
    expect(sessions).toHaveLength(3);
    for (const s of sessions) {
      const batches = store
        .all<{ origins: Uint8Array; record_count: number }>(
          'SELECT origins, record_count FROM batches WHERE session_id = ? ORDER BY seq',
          [s.id],
        )
        .map((b) => decodeOrigins(b.origins, b.record_count));
      expect(streamOriginsDigest(names, batches).toString('hex')).toBe(
        computeOriginsDigest(store, s.id).toString('hex'),
      );
    }
  });

  it('gives the same report hashing in-process and on worker threads', async () => {
    const inProcess = await verifyStore(store, { workers: 0 });
    const threaded = await verifyStore(store, { workers: 2 });
    expect(inProcess.ok).toBe(true);
    expect(inProcess.observations).toBe(213);
    expect(threaded).toEqual(inProcess);
  });
});
