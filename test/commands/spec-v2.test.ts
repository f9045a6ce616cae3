import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { origin, tempDir } from '../helpers/cli';
import { openDb } from '../helpers/reference';
import { inclusionPath, leafHashes } from '../../src/core/merkle';
import { V2Vectors, readVector } from '../helpers/vectors';

const v2 = readVector<V2Vectors>('v2.json');

/** vectors/v2.json through the real CLI: what an auditor's independent tool computes. */
describe('SPEC v2 vectors through the CLI', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let session: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-v2-'));
    db = join(dir, 'origin.db');
    const input = v2.session.texts
      .map((text, i) => {
        const [source, license] = v2.session.origins[i];
        // A record given no license is recorded as `unknown` (SPEC §2.1).
        return JSON.stringify(license === 'unknown' ? { text, source } : { text, source, license });
      })
      .join('\n');
    session = origin(
      ['session', 'start', '--path', db, '--meta', 'model=tiny-lm', '--meta', 'run=7'],
      {
        cwd: dir,
      },
    ).stdout.trim();
    const r = origin(
      [
        'ingest',
        '--session',
        session,
        '--path',
        db,
        '--content-field',
        'text',
        '--source-field',
        'source',
        '--license-field',
        'license',
        '--json',
      ],
      { cwd: dir, input },
    );
    expect(r.status).toBe(0);
    expect(origin(['session', 'end', session, '--path', db], { cwd: dir }).status).toBe(0);
  });
  afterAll(() => cleanup());

  it('records the session root and the origins root of §2.1', () => {
    const r = origin(['inspect', session, '--path', db, '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.session_root).toBe(v2.session.root);
    expect(report.origins_root).toBe(v2.session.origins_root);
  });

  it('gives an observation proof: the sample and its source and license, checkable offline', () => {
    const r = origin(['prove', '--text', 'last', '--session', session, '--path', db], { cwd: dir });
    expect(r.status).toBe(0);
    const proof = JSON.parse(r.stdout);
    const leaves = v2.session.origin_leaf_data.map((h) => Buffer.from(h, 'hex'));
    expect(proof).toMatchObject({
      leaf_index: 4,
      tree_size: 5,
      root: v2.session.root,
      origin: {
        source: 'crawl',
        license: 'unknown',
        leaf_data: v2.session.origin_leaf_data[4],
        origins_root: v2.session.origins_root,
        path: inclusionPath(leafHashes(leaves), 4).map((p) => p.toString('hex')),
      },
    });
    const file = join(dir, 'observation.json');
    writeFileSync(file, r.stdout);
    const ok = origin(['verify-proof', file, '--root', v2.session.root], { cwd: dir });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/source "crawl" under license "unknown"/);
    const relabelled = { ...proof.origin, license: 'MIT' };
    delete relabelled.leaf_data; // a relabelling that leaves no stale leaf_data behind
    writeFileSync(file, JSON.stringify({ ...proof, origin: relabelled }));
    expect(origin(['verify-proof', file], { cwd: dir }).status).toBe(3);
  });

  it('re-derives the session head of §2.2 from the session’s fields', async () => {
    // The vector's id and times, which a live run cannot choose.
    const doc = v2.session_head.document;
    const copy = join(dir, 'vector.db');
    const d = await openDb(db);
    d.run('UPDATE sessions SET uid = ?, started_at = ?, ended_at = ?', [
      doc.session_id as string,
      doc.started_at as string,
      doc.ended_at as string,
    ]);
    writeFileSync(copy, d.export());
    d.close();
    const stale = origin(['verify', '--path', copy, '--json'], { cwd: dir });
    expect(stale.status).toBe(3);
    // The re-derived head is the vector's; the stored head, and its store log leaf, are stale.
    expect(JSON.parse(stale.stdout).failures).toEqual([
      expect.objectContaining({ check: 'session_heads', expected: v2.session_head.head }),
      expect.objectContaining({ check: 'store_log', expected: v2.session_head.head }),
    ]);
    const d2 = await openDb(copy);
    d2.run('UPDATE sessions SET head = ?', [Buffer.from(v2.session_head.head, 'hex')]);
    d2.run('UPDATE store_log SET leaf = ?', [Buffer.from(v2.session_head.head, 'hex')]);
    writeFileSync(copy, d2.export());
    d2.close();
    const args = ['verify', '--path', copy, '--session', '0123456789ab', '--head'];
    expect(origin([...args, v2.session_head.head], { cwd: dir }).status).toBe(0);
    expect(origin(['verify', '--path', copy], { cwd: dir }).status).toBe(0);
  });
});
