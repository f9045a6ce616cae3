import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/core/store/schema';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';
import { openDb, rows } from '../helpers/reference';
import { TO_SCHEMA_1, TO_SCHEMA_3 } from '../helpers/old-schema';

/** user_version from the SQLite header (big-endian at offset 60). */
const userVersion = (path: string): number => readFileSync(path).readUInt32BE(60);

const observationLines = (jsonl: string): string[] =>
  jsonl.split('\n').filter((line) => line.startsWith('{"type":"observation"'));

describe('a database of schema 1 (no sizes column)', () => {
  let dir: string;
  let cleanup: () => void;
  let current: string;
  let old: string;
  let session: string;
  const input = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ text: `sample ${i % 17}`.repeat(1 + (i % 3)), source: `s${i % 2}` }),
  ).join('\n');

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('origin-upgrade-'));
    current = join(dir, 'current.db');
    old = join(dir, 'old.db');
    const r = origin(
      [
        'ingest',
        '--path',
        current,
        '--content-field',
        'text',
        '--source-field',
        'source',
        '--license',
        'MIT',
        '--batch-size',
        '8',
        '--json',
      ],
      { cwd: dir, input },
    );
    expect(r.status).toBe(0);
    session = JSON.parse(r.stdout).session_id;
    // The same data as an Origin database of schema 1 had it.
    const d = await openDb(current);
    d.exec(TO_SCHEMA_1);
    writeFileSync(old, d.export());
    d.close();
    expect(userVersion(old)).toBe(1);
  });
  afterAll(() => cleanup());

  it('is read as it is: exports and verifies without being rewritten', () => {
    const before = readFileSync(old);
    const fromOld = origin(['export', session, '--format', 'jsonl', '--path', old], { cwd: dir });
    const fromCurrent = origin(['export', session, '--format', 'jsonl', '--path', current], {
      cwd: dir,
    });
    expect(fromOld.status).toBe(0);
    expect(fromCurrent.status).toBe(0);
    const lines = observationLines(fromOld.stdout);
    expect(lines).toHaveLength(40);
    expect(lines).toEqual(observationLines(fromCurrent.stdout));
    expect(JSON.parse(lines[1])).toMatchObject({ size: 'sample 1sample 1'.length });
    expect(origin(['verify', '--path', old], { cwd: dir }).status).toBe(0);
    expect(readFileSync(old).equals(before)).toBe(true);
  });

  it('is upgraded by the next command that writes; old batches keep no sizes column', async () => {
    const upgraded = join(dir, 'upgraded.db');
    writeFileSync(upgraded, readFileSync(old));
    const r = origin(
      ['ingest', '--path', upgraded, '--format', 'text', '--source', 'notes', '--json'],
      { cwd: dir, input: 'one\ntwo\nthree\n' },
    );
    expect(r.status).toBe(0);
    const added = JSON.parse(r.stdout).session_id;
    expect(userVersion(upgraded)).toBe(SCHEMA_VERSION);
    const d = await openDb(upgraded);
    const batches = rows<{ uid: string; sizes: Uint8Array | null }>(
      d,
      'SELECT s.uid, b.sizes FROM batches b JOIN sessions s ON s.id = b.session_id ORDER BY b.id',
    );
    d.close();
    expect(batches.filter((b) => b.uid === session).every((b) => b.sizes === null)).toBe(true);
    expect(batches.filter((b) => b.uid === added).map((b) => Buffer.from(b.sizes!))).toEqual([
      Buffer.from([3, 3, 5]),
    ]);
    expect(origin(['verify', '--path', upgraded], { cwd: dir }).status).toBe(0);
    const oldSession = origin(['export', session, '--format', 'jsonl', '--path', upgraded], {
      cwd: dir,
    });
    expect(observationLines(oldSession.stdout)).toHaveLength(40);
    const newSession = origin(['export', added, '--format', 'jsonl', '--path', upgraded], {
      cwd: dir,
    });
    expect(observationLines(newSession.stdout).map((l) => JSON.parse(l).size)).toEqual([3, 3, 5]);
  });
});

describe('a database of schema 3 (origins digest, no origins root)', () => {
  let dir: string;
  let cleanup: () => void;
  let current: string;
  let old: string;
  const sessionsOf = async (path: string) => {
    const d = await openDb(path);
    const found = rows<{ uid: string; origins_root: Uint8Array; origins_frontier: Uint8Array }>(
      d,
      'SELECT uid, origins_root, origins_frontier FROM sessions ORDER BY id',
    ).map((r) => ({
      uid: r.uid,
      origins_root: Buffer.from(r.origins_root).toString('hex'),
      origins_frontier: Buffer.from(r.origins_frontier).toString('hex'),
    }));
    d.close();
    return found;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('origin-upgrade3-'));
    current = join(dir, 'current.db');
    old = join(dir, 'old.db');
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({
          text: `t${n}-${i}`,
          source: `s${i % 3}`,
          license: i % 5 ? 'MIT' : 'GPL-3.0-only',
        }),
      ).join('\n');
    for (const n of [25, 3]) {
      const r = origin(['ingest', '--path', current, '--batch-size', '4', ...RECORD_FIELDS], {
        cwd: dir,
        input: lines(n),
      });
      expect(r.status).toBe(0);
    }
    origin(['session', 'start', '--path', current], { cwd: dir });
    const d = await openDb(current);
    d.exec(TO_SCHEMA_3);
    writeFileSync(old, d.export());
    d.close();
    expect(userVersion(old)).toBe(3);
  });
  afterAll(() => cleanup());

  it('gets the origins root of every session computed, and the old digest dropped', async () => {
    const upgraded = join(dir, 'upgraded.db');
    writeFileSync(upgraded, readFileSync(old));
    const r = origin(['session', 'start', '--path', upgraded], { cwd: dir });
    expect(r.status).toBe(0);
    expect(userVersion(upgraded)).toBe(SCHEMA_VERSION);
    const expected = await sessionsOf(current);
    expect(expected).toHaveLength(3);
    expect((await sessionsOf(upgraded)).slice(0, 3)).toEqual(expected);
    const d = await openDb(upgraded);
    const columns = rows<{ name: string }>(d, 'PRAGMA table_info(sessions)').map((c) => c.name);
    d.close();
    expect(columns).not.toContain('origins_digest');
    expect(origin(['verify', '--path', upgraded], { cwd: dir }).status).toBe(0);
  });

  it('is verified as it is by a command that only reads, and left unchanged', () => {
    const before = readFileSync(old);
    expect(origin(['verify', '--path', old], { cwd: dir }).status).toBe(0);
    expect(readFileSync(old).equals(before)).toBe(true);
  });
});
