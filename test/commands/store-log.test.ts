import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { merkleRoot } from '../../src/core/merkle';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';
import { openDb, rows } from '../helpers/reference';
import { TO_SCHEMA_5 } from '../helpers/old-schema';
import { V2Vectors, readVector } from '../helpers/vectors';
import type { Database } from 'sql.js';

const v2 = readVector<V2Vectors>('v2.json').store_log;

interface StoreHead {
  tree_size: number;
  root: string;
}

/** The store log (SPEC §2.4) through the real CLI. */
describe('store log', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  const sessions: { id: string; head: string }[] = [];
  let eventHash: string;

  const run = (args: string[], path = db, input?: string) =>
    origin([...args, '--path', path], { cwd: dir, input });
  const status = (path = db): StoreHead =>
    JSON.parse(run(['status', '--json'], path).stdout).store_head;
  const verify = (args: string[], path = db) => {
    const r = run(['verify', '--json', ...args], path);
    return {
      status: r.status,
      failed: (JSON.parse(r.stdout).checks as { name: string; ok: boolean }[])
        .filter((c) => !c.ok)
        .map((c) => c.name),
    };
  };
  const ingest = (n: number, path = db) => {
    const input = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ text: `${n}-${i}`, source: 'web', license: 'MIT' }),
    ).join('\n');
    const r = run(['ingest', ...RECORD_FIELDS, '--json'], path, input);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    return { id: summary.session_id as string, head: summary.session_head as string };
  };
  async function copyWith(name: string, change: (d: Database) => void): Promise<string> {
    const d = await openDb(db);
    change(d);
    const path = join(dir, `${name}.db`);
    writeFileSync(path, d.export());
    d.close();
    return path;
  }

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-store-log-'));
    db = join(dir, 'origin.db');
    sessions.push(ingest(3), ingest(5));
    const e = run(['lineage', 'record', 'dataset', '--session', sessions[0].id, '--json']);
    expect(e.status).toBe(0);
    eventHash = JSON.parse(e.stdout).hash;
    run(['session', 'start']); // open: not sealed
  });
  afterAll(() => cleanup());

  it('seals ended sessions’ heads and event hashes in order; status prints the store head', () => {
    const leaves = [sessions[0].head, sessions[1].head, eventHash].map((h) =>
      Buffer.from(h, 'hex'),
    );
    const head = status();
    expect(head).toEqual({ tree_size: 3, root: merkleRoot(leaves).toString('hex') });
    expect(run(['status']).stdout).toContain(`Store head:`);
    expect(run(['status']).stdout).toContain(`tree_size 3, root ${head.root}`);
    expect(verify(['--store-root', head.root, '--store-size', '3']).status).toBe(0);
  });

  it('keeps an older store head valid as the log grows, and fails a wrong one', async () => {
    const path = join(dir, 'grown.db');
    writeFileSync(path, readFileSync(db));
    const before = status(path);
    ingest(2, path);
    expect(status(path).tree_size).toBe(4);
    expect(
      verify(['--store-root', before.root, '--store-size', String(before.tree_size)], path).status,
    ).toBe(0);
    const wrong = verify(['--store-root', before.root, '--store-size', '2'], path);
    expect(wrong).toEqual({ status: 3, failed: ['pinned_store_head'] });
    const tooBig = verify(['--store-root', before.root, '--store-size', '9'], path);
    expect(tooBig).toEqual({ status: 3, failed: ['pinned_store_head'] });
    expect(run(['verify', '--store-root', before.root]).status).toBe(2);
    expect(run(['verify', '--store-root', 'nothex', '--store-size', '1']).status).toBe(2);
  });

  it('catches a whole session removed with its leaf, once the store head is pinned', async () => {
    const head = status();
    // The second session removed without a trace: its rows, its leaf, positions closed up.
    const path = await copyWith('removed', (d) => {
      const id = rows<{ id: number }>(d, 'SELECT id FROM sessions WHERE uid = ?', [
        sessions[1].id,
      ])[0].id;
      d.run('DELETE FROM batches WHERE session_id = ?', [id]);
      d.run('DELETE FROM session_origins WHERE session_id = ?', [id]);
      d.run('DELETE FROM store_log WHERE session_id = ?', [id]);
      d.run('DELETE FROM sessions WHERE id = ?', [id]);
      d.run('UPDATE store_log SET position = position - 1 WHERE position > 1');
    });
    expect(verify([], path).status).toBe(0);
    const pinned = verify(
      ['--store-root', head.root, '--store-size', String(head.tree_size)],
      path,
    );
    expect(pinned).toEqual({ status: 3, failed: ['pinned_store_head'] });
  });

  it('catches a leaf removed, moved or rewritten, and an ended session missing from it', async () => {
    for (const [name, sql] of [
      ['gap', 'DELETE FROM store_log WHERE position = 1'],
      ['last', 'DELETE FROM store_log WHERE position = 2'],
      ['rewritten', 'UPDATE store_log SET leaf = zeroblob(32) WHERE position = 0'],
      ['metadata', `UPDATE sessions SET metadata = '{"x":"y"}' WHERE status = 'completed'`],
    ]) {
      const path = await copyWith(name, (d) => d.run(sql));
      const r = verify([], path);
      expect({ name, status: r.status }).toEqual({ name, status: 3 });
      expect(r.failed).toContain('store_log');
    }
  });

  it('agrees with the store log vector of v2.json', async () => {
    // The vector's two leaves in place of this store's first two: only the pin is asked about.
    const path = await copyWith('vector', (d) => {
      d.run('DELETE FROM store_log WHERE position >= 2');
      v2.leaves.forEach((leaf, i) =>
        d.run('UPDATE store_log SET leaf = ? WHERE position = ?', [Buffer.from(leaf, 'hex'), i]),
      );
    });
    const r = verify(['--store-root', v2.root, '--store-size', String(v2.tree_size)], path);
    expect(r.failed).not.toContain('pinned_store_head');
    expect(status(path)).toEqual({ tree_size: v2.tree_size, root: v2.root });
  });

  it('is back-filled for a schema-5 store: ended sessions in the order they ended, then events', async () => {
    const fresh = join(dir, 'fresh.db');
    const a = run(['session', 'start'], fresh).stdout.trim();
    const b = run(['session', 'start'], fresh).stdout.trim();
    for (const id of [a, b]) {
      expect(run(['ingest', '--session', id, '--format', 'text'], fresh, `${id}\n`).status).toBe(0);
    }
    run(['session', 'end', b], fresh);
    run(['session', 'end', a], fresh);
    expect(run(['lineage', 'record', 'dataset', '--session', a], fresh).status).toBe(0);
    const expected = status(fresh);
    const d = await openDb(fresh);
    d.exec(TO_SCHEMA_5);
    const path = join(dir, 'schema5.db');
    writeFileSync(path, d.export());
    d.close();

    // A command that only reads upgrades in memory and leaves the file alone.
    const bytes = readFileSync(path);
    expect(JSON.parse(run(['status', '--json'], path).stdout).store_head).toEqual(expected);
    expect(readFileSync(path).equals(bytes)).toBe(true);

    expect(run(['session', 'start'], path).status).toBe(0); // a writer upgrades the file
    const after = JSON.parse(run(['status', '--json'], path).stdout);
    expect(after.store_log_backfilled).toBe(3);
    expect(after.store_head).toEqual(expected);
    expect(run(['status'], path).stdout).toMatch(/first 3 leaves back-filled/);
    const u = await openDb(path);
    const order = rows<{ uid: string | null; event_id: number | null }>(
      u,
      'SELECT s.uid, l.event_id FROM store_log l LEFT JOIN sessions s ON s.id = l.session_id ORDER BY l.position',
    );
    u.close();
    expect(order.map((o) => o.uid ?? `event ${o.event_id}`)).toEqual([b, a, 'event 1']);
    expect(verify([], path).status).toBe(0);
  });
});
