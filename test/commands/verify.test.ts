import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';
import { openDb, rows } from '../helpers/reference';

interface Failure {
  check: string;
  message: string;
  session_id?: string;
  batch_seq?: number;
  position?: number;
  expected?: string;
  found?: string;
}

interface Report {
  ok: boolean;
  session_id: string | null;
  sessions: number;
  batches: number;
  observations: number;
  checks: { name: string; ok: boolean; failures: number }[];
  failures: Failure[];
  failure_count: number;
}

describe('origin verify', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let sessionA: string;
  let sessionB: string;
  let rootA: string;

  const ingest = (args: string[], input: string): Record<string, unknown> => {
    const r = origin(['ingest', ...args, '--json'], { cwd: dir, input });
    if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-verify-'));
    db = join(dir, 'origin.db');
    // Session A: three sources (names that need JSON escaping), two licenses, written by two
    // ingests with a batch size that leaves batches unaligned in the session tree.
    const sources = ['wiki', 'src "quoted" \\ back', 'Grüße/データ'];
    const licenses = ['MIT', 'CC-BY-4.0'];
    const lines = (from: number, to: number): string =>
      Array.from({ length: to - from }, (_, k) => {
        const i = from + k;
        return JSON.stringify({
          text: `sample number ${i % 23}`,
          source: sources[Math.floor(i / 3) % sources.length],
          license: licenses[Math.floor(i / 7) % licenses.length],
        });
      }).join('\n');
    sessionA = origin(['session', 'start'], { cwd: dir }).stdout.trim();
    ingest(['--session', sessionA, '--batch-size', '5', ...RECORD_FIELDS], lines(0, 17));
    const last = ingest(
      ['--session', sessionA, '--batch-size', '4', ...RECORD_FIELDS],
      lines(17, 40),
    );
    rootA = last.session_root as string;
    // Session B: plain text, default (power-of-two) batches.
    const b = ingest(
      ['--format', 'text', '--source', 'notes', '--license', 'Apache-2.0'],
      Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n'),
    );
    sessionB = b.session_id as string;
  });
  afterAll(() => cleanup());

  const verify = (
    args: string[],
    path = db,
  ): { status: number; report: Report; stderr: string } => {
    const r = origin(['verify', '--path', path, '--json', ...args], { cwd: dir });
    return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  };

  let copies = 0;
  /** A tampered copy of the database: fn changes it through sql.js directly. */
  const tampered = async (fn: (d: Database) => void): Promise<string> => {
    const path = join(dir, `tampered-${++copies}.db`);
    copyFileSync(db, path);
    const d = await openDb(path);
    fn(d);
    writeFileSync(path, d.export());
    d.close();
    return path;
  };

  const batch = (
    d: Database,
    uid: string,
    seq: number,
  ): { id: number; fingerprints: Uint8Array; record_count: number } =>
    rows<{ id: number; fingerprints: Uint8Array; record_count: number }>(
      d,
      `SELECT b.id, b.fingerprints, b.record_count FROM batches b JOIN sessions s ON s.id = b.session_id
        WHERE s.uid = ? AND b.seq = ?`,
      [uid, seq],
    )[0];

  const failedChecks = (report: Report): string[] =>
    report.checks.filter((c) => !c.ok).map((c) => c.name);

  it('passes on an intact database, in JSON and for people', () => {
    const { status, report } = verify([]);
    expect(status).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.sessions).toBe(2);
    expect(report.observations).toBe(90);
    expect(report.checks.map((c) => c.name)).toEqual([
      'sqlite_integrity',
      'references',
      'batch_layout',
      'totals',
      'origins_roots',
      'batch_roots',
      'session_roots',
      'session_heads',
      'lineage',
      'store_log',
    ]);
    const human = origin(['verify', '--path', db], { cwd: dir });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/All checks passed/);
    expect(human.stdout).toMatch(/batch_roots/);
  });

  it('never writes the database', () => {
    const before = readFileSync(db);
    const mtime = statSync(db).mtimeMs;
    verify([]);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(statSync(db).mtimeMs).toBe(mtime);
  });

  it('accepts the right --root and refuses any other (exit 3)', () => {
    expect(verify(['--session', sessionA.slice(0, 8), '--root', rootA]).status).toBe(0);
    expect(verify(['--session', sessionA, '--root', rootA.toUpperCase()]).status).toBe(0);
    const other = randomBytes(32).toString('hex');
    const { status, report } = verify(['--session', sessionA, '--root', other]);
    expect(status).toBe(3);
    expect(failedChecks(report)).toEqual(['pinned_root']);
    expect(report.failures[0]).toMatchObject({
      session_id: sessionA,
      expected: other,
      found: rootA,
    });
    // The root of another session is just as wrong.
    const rootB = verify(['--session', sessionB]).report;
    expect(rootB.ok).toBe(true);
    expect(verify(['--session', sessionB, '--root', rootA]).status).toBe(3);
  });

  it('refuses --root without --session and a malformed --root (exit 2)', () => {
    expect(origin(['verify', '--path', db, '--root', rootA], { cwd: dir }).status).toBe(2);
    expect(
      origin(['verify', '--path', db, '--session', sessionA, '--root', 'abc'], { cwd: dir }).status,
    ).toBe(2);
    expect(origin(['verify', '--path', db, '--session', 'ffffffff'], { cwd: dir }).status).toBe(2);
  });

  it('exits 1 when there is no database', () => {
    const r = origin(['verify', '--path', join(dir, 'none.db')], { cwd: dir });
    expect(r.status).toBe(1);
  });

  it('catches one changed fingerprint inside a batch column', async () => {
    const path = await tampered((d) => {
      const b = batch(d, sessionA, 1);
      const fps = Buffer.from(b.fingerprints);
      fps[32 * 2 + 5] ^= 0x01;
      d.run('UPDATE batches SET fingerprints = ? WHERE id = ?', [fps, b.id]);
    });
    const { status, report } = verify([], path);
    expect(status).toBe(3);
    expect(failedChecks(report)).toEqual(
      expect.arrayContaining(['references', 'batch_roots', 'session_roots']),
    );
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        check: 'batch_roots',
        session_id: sessionA,
        batch_seq: 1,
        message: expect.stringMatching(/batch root does not match/),
      }),
    );
    // The observation that changed is named by session, batch and position.
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        check: 'references',
        session_id: sessionA,
        batch_seq: 1,
        position: 7,
      }),
    );
    expect(report.failures).toContainEqual(
      expect.objectContaining({ check: 'session_roots', session_id: sessionA, found: rootA }),
    );
    // Session B is untouched and still verifies on its own.
    expect(verify(['--session', sessionB], path).status).toBe(0);
  });

  it('catches a changed stored batch root', async () => {
    const bad = randomBytes(32);
    const path = await tampered((d) => {
      d.run('UPDATE batches SET root = ? WHERE id = ?', [bad, batch(d, sessionB, 0).id]);
    });
    const { status, report } = verify([], path);
    expect(status).toBe(3);
    expect(failedChecks(report)).toEqual(['batch_roots']);
    expect(report.failures[0]).toMatchObject({
      session_id: sessionB,
      batch_seq: 0,
      found: bad.toString('hex'),
    });
  });

  it('catches a changed stored session root', async () => {
    const bad = randomBytes(32);
    const path = await tampered((d) => {
      d.run('UPDATE sessions SET root = ? WHERE uid = ?', [bad, sessionA]);
    });
    const { status, report } = verify([], path);
    expect(status).toBe(3);
    // The head commits to the root, so a changed root also leaves the head behind.
    expect(failedChecks(report)).toEqual(['session_roots', 'session_heads']);
    expect(report.failures[0]).toMatchObject({
      session_id: sessionA,
      message: expect.stringMatching(/session root does not match/),
      expected: rootA,
      found: bad.toString('hex'),
    });
    // Pinning the true root from outside fails too.
    expect(verify(['--session', sessionA, '--root', rootA], path).status).toBe(3);
  });

  it('catches a dropped observation', async () => {
    const path = await tampered((d) => {
      const b = batch(d, sessionA, 2);
      d.run('UPDATE batches SET fingerprints = ?, record_count = ? WHERE id = ?', [
        Buffer.from(b.fingerprints).subarray(0, b.fingerprints.length - 32),
        b.record_count - 1,
        b.id,
      ]);
    });
    const { status, report } = verify([], path);
    expect(status).toBe(3);
    expect(failedChecks(report)).toEqual(
      expect.arrayContaining(['batch_layout', 'batch_roots', 'session_roots', 'totals']),
    );
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        check: 'session_roots',
        message: expect.stringMatching(/record_count/),
        expected: '39',
        found: '40',
      }),
    );
    expect(report.failures).toContainEqual(
      expect.objectContaining({ check: 'batch_layout', batch_seq: 3 }),
    );
  });

  it('catches two observations swapped', async () => {
    const path = await tampered((d) => {
      const b = batch(d, sessionB, 0);
      const fps = Buffer.from(b.fingerprints);
      const first = Buffer.from(fps.subarray(0, 32));
      fps.copy(fps, 0, 32 * 9, 32 * 10);
      first.copy(fps, 32 * 9);
      d.run('UPDATE batches SET fingerprints = ? WHERE id = ?', [fps, b.id]);
    });
    const { status, report } = verify([], path);
    expect(status).toBe(3);
    // Same samples, same sizes, same origins: only the roots see the order.
    expect(failedChecks(report)).toEqual(['batch_roots', 'session_roots']);
  });

  it('catches a changed license and a changed source name', async () => {
    const license = await tampered((d) =>
      d.run("UPDATE licenses SET expression = 'CC0-1.0' WHERE expression = 'CC-BY-4.0'"),
    );
    const r1 = verify([], license);
    expect(r1.status).toBe(3);
    expect(failedChecks(r1.report)).toEqual(['origins_roots']);
    expect(r1.report.failures[0]).toMatchObject({
      session_id: sessionA,
      message: expect.stringMatching(/origins root differs/),
    });

    const source = await tampered((d) =>
      d.run("UPDATE sources SET name = 'not-notes' WHERE name = 'notes'"),
    );
    const r2 = verify([], source);
    expect(r2.status).toBe(3);
    expect(failedChecks(r2.report)).toEqual(['origins_roots']);
    expect(r2.report.failures[0]).toMatchObject({ session_id: sessionB });
  });

  it('catches wrong totals, sizes and dangling references', async () => {
    const totals = await tampered((d) => {
      d.run(
        'UPDATE session_origins SET records = records + 1, bytes = bytes - 1 WHERE origin_id = (SELECT min(origin_id) FROM session_origins)',
      );
      d.run('UPDATE sessions SET byte_count = byte_count + 10 WHERE uid = ?', [sessionB]);
    });
    const r1 = verify([], totals);
    expect(r1.status).toBe(3);
    // An ended session's head is sealed in the store log, so that goes too.
    expect(failedChecks(r1.report)).toEqual(['totals', 'session_heads', 'store_log']);
    expect(r1.report.failures).toContainEqual(
      expect.objectContaining({
        session_id: sessionB,
        message: expect.stringMatching(/session byte_count/),
      }),
    );

    const size = await tampered((d) =>
      d.run(
        'UPDATE samples SET size = size + 1 WHERE fingerprint = (SELECT min(fingerprint) FROM samples)',
      ),
    );
    const r2 = verify([], size);
    expect(r2.status).toBe(3);
    expect(failedChecks(r2.report)).toEqual(['totals']);

    const dangling = await tampered((d) => {
      d.run('DELETE FROM samples WHERE fingerprint = (SELECT min(fingerprint) FROM samples)');
      d.run('INSERT INTO origins (source_id, license_id) VALUES (999, 1)');
    });
    const r3 = verify([], dangling);
    expect(r3.status).toBe(3);
    expect(failedChecks(r3.report)).toEqual(expect.arrayContaining(['references']));
    expect(r3.report.failures).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/source 999, which does not exist/),
      }),
    );
    expect(r3.report.failures).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/not in the samples table/) }),
    );
  });

  it('catches a sizes column that disagrees with the samples, or is malformed', async () => {
    const sizesOf = (d: Database, seq: number): { id: number; sizes: Uint8Array } =>
      rows<{ id: number; sizes: Uint8Array }>(
        d,
        `SELECT b.id, b.sizes FROM batches b JOIN sessions s ON s.id = b.session_id
          WHERE s.uid = ? AND b.seq = ?`,
        [sessionB, seq],
      )[0];
    // "line 3" is 6 bytes: one varint byte, changed to 7.
    const changed = await tampered((d) => {
      const b = sizesOf(d, 0);
      const sizes = Buffer.from(b.sizes);
      expect(sizes[3]).toBe(6);
      sizes[3] = 7;
      d.run('UPDATE batches SET sizes = ? WHERE id = ?', [sizes, b.id]);
    });
    const r1 = verify([], changed);
    expect(r1.status).toBe(3);
    expect(failedChecks(r1.report)).toEqual(['totals']);
    expect(r1.report.failures[0]).toMatchObject({
      session_id: sessionB,
      batch_seq: 0,
      position: 3,
      message: expect.stringMatching(/sizes column differs/),
      expected: '6',
      found: '7',
    });
    const short = await tampered((d) => {
      const b = sizesOf(d, 0);
      d.run('UPDATE batches SET sizes = ? WHERE id = ?', [Buffer.from(b.sizes).subarray(1), b.id]);
    });
    const r2 = verify([], short);
    expect(r2.status).toBe(3);
    expect(failedChecks(r2.report)).toEqual(['totals']);
    expect(r2.report.failures[0].message).toMatch(/sizes column is malformed: .*49 sizes/);
  });

  it('catches a renumbered batch and a damaged frontier', async () => {
    const path = await tampered((d) => {
      d.run('UPDATE batches SET seq = seq + 10 WHERE id = ?', [batch(d, sessionA, 3).id]);
      d.run('UPDATE sessions SET frontier = ? WHERE uid = ?', [randomBytes(64), sessionB]);
    });
    const { status, report } = verify([], path);
    expect(status).toBe(3);
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        check: 'batch_layout',
        session_id: sessionA,
        message: expect.stringMatching(/numbering/),
      }),
    );
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        check: 'session_roots',
        session_id: sessionB,
        message: expect.stringMatching(/frontier/),
      }),
    );
  });

  it('verifies lifecycle events through the lineage hook', async () => {
    const withEvent = join(dir, 'lineage.db');
    copyFileSync(db, withEvent);
    const rec = origin(
      [
        'lineage',
        'record',
        'dataset',
        '--session',
        sessionB,
        '--name',
        'notes',
        '--path',
        withEvent,
      ],
      { cwd: dir },
    );
    expect(rec.status).toBe(0);
    expect(verify([], withEvent).status).toBe(0);
    const path = join(dir, 'lineage-tampered.db');
    copyFileSync(withEvent, path);
    const d = await openDb(path);
    d.run(`UPDATE events SET payload = replace(payload, '"notes"', '"other"')`);
    writeFileSync(path, d.export());
    const { status, report } = verify(['--session', sessionA], path);
    expect(status).toBe(3);
    expect(failedChecks(report)).toEqual(['lineage']);
    expect(report.failures[0].message).toMatch(/dataset event/);
  });

  it('prints each failure with where, expected and found for people', async () => {
    const path = await tampered((d) =>
      d.run('UPDATE sessions SET root = ? WHERE uid = ?', [Buffer.alloc(32), sessionA]),
    );
    const r = origin(['verify', '--path', path], { cwd: dir });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/Verification FAILED/);
    expect(r.stdout).toContain(`session ${sessionA}: session root does not match`);
    expect(r.stdout).toContain(`expected ${rootA}`);
    expect(r.stdout).toContain(`found    ${'0'.repeat(64)}`);
  });
});
