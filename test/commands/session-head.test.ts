import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store';
import { storedOriginsTree } from '../../src/core/sessions/origins-root';
import { refreshHead } from '../../src/core/sessions/head';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';

interface Failure {
  check: string;
  message: string;
  expected?: string;
  found?: string;
}

/** The session head (SPEC §2.2) through the real CLI: kept, printed, pinned. */
describe('session head', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let session: string;
  let root: string;
  let head: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-head-'));
    db = join(dir, 'origin.db');
    const input = [
      ...Array.from({ length: 6 }, (_, i) =>
        JSON.stringify({ text: `gpl code ${i}`, source: 'gpl-code', license: 'GPL-3.0-only' }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        JSON.stringify({
          text: `vendor ${i}`,
          source: 'vendor',
          license: 'LicenseRef-Proprietary',
        }),
      ),
    ].join('\n');
    const r = origin(['ingest', '--path', db, ...RECORD_FIELDS, '--json'], { cwd: dir, input });
    expect(r.status).toBe(0);
    ({ session_id: session, session_root: root, session_head: head } = JSON.parse(r.stdout));
    expect(head).toMatch(/^[0-9a-f]{64}$/);
  });
  afterAll(() => cleanup());

  const verify = (args: string[], path = db) => {
    const r = origin(['verify', '--path', path, '--json', ...args], { cwd: dir });
    return { status: r.status, report: JSON.parse(r.stdout) as { failures: Failure[] } };
  };

  /** A copy of the database with `change` applied to it. */
  async function tampered(name: string, change: (store: Store) => void): Promise<string> {
    const path = join(dir, `${name}.db`);
    writeFileSync(path, readFileSync(db));
    const store = await Store.open(path, { mode: 'write' });
    store.transaction(() => change(store));
    await store.close();
    return path;
  }

  it('is printed by inspect and pinned by verify --head', () => {
    const inspect = JSON.parse(
      origin(['inspect', session, '--path', db, '--json'], { cwd: dir }).stdout,
    );
    expect(inspect.session_head).toBe(head);
    expect(verify(['--session', session, '--head', head]).status).toBe(0);
    const other = verify(['--session', session, '--head', 'ab'.repeat(32)]);
    expect(other.status).toBe(3);
    expect(other.report.failures).toEqual([
      expect.objectContaining({ check: 'pinned_head', expected: 'ab'.repeat(32), found: head }),
    ]);
    expect(origin(['verify', '--path', db, '--head', head], { cwd: dir }).status).toBe(2);
    expect(
      origin(['verify', '--path', db, '--session', session, '--head', 'xyz'], { cwd: dir }).status,
    ).toBe(2);
  });

  it('catches a relabelling that rewrote every derived hash: verify --head fails naming the origins root', async () => {
    expect(origin(['conflicts', '--path', db], { cwd: dir }).status).toBe(4);
    // The attack of the issue: GPL-3.0-only relabelled as MIT, and everything derivable re-derived.
    const path = await tampered('relabelled', (store) => {
      store.run("UPDATE licenses SET expression = 'MIT' WHERE expression = 'GPL-3.0-only'");
      const id = Number(store.scalar('SELECT id FROM sessions'));
      const tree = storedOriginsTree(store, id);
      store.run('UPDATE sessions SET origins_root = ?, origins_frontier = ? WHERE id = ?', [
        tree.root(),
        tree.frontier(),
        id,
      ]);
      const newHead = refreshHead(store, id);
      store.run('UPDATE store_log SET leaf = ? WHERE session_id = ?', [newHead, id]);
    });
    expect(origin(['conflicts', '--path', path], { cwd: dir }).status).toBe(0);
    expect(verify([], path).status).toBe(0);
    expect(verify(['--session', session, '--root', root], path).status).toBe(0);
    const pinned = verify(['--session', session, '--root', root, '--head', head], path);
    expect(pinned.status).toBe(3);
    expect(pinned.report.failures).toHaveLength(1);
    expect(pinned.report.failures[0].check).toBe('pinned_head');
    expect(pinned.report.failures[0].message).toMatch(/origins root/);
    const human = origin(['verify', '--path', path, '--session', session, '--head', head], {
      cwd: dir,
    });
    expect(human.status).toBe(3);
    expect(human.stdout).toMatch(/origins root/);
  });

  it('catches a change to any field it commits to, even with the stored head left alone', async () => {
    const edits = [
      "UPDATE sessions SET config_hash = '" + 'c'.repeat(64) + "'",
      "UPDATE sessions SET started_at = '2020-01-01T00:00:00.000Z'",
      "UPDATE sessions SET ended_at = '2030-01-01T00:00:00.000Z'",
      `UPDATE sessions SET metadata = '{"model":"x"}'`,
      'UPDATE sessions SET skipped_count = 3',
      "UPDATE sessions SET status = 'failed'",
      "UPDATE sessions SET uid = '" + 'f'.repeat(32) + "'",
    ];
    for (const [i, sql] of edits.entries()) {
      const path = await tampered(`field-${i}`, (store) => store.run(sql));
      const r = verify([], path);
      expect({ sql, status: r.status }).toEqual({ sql, status: 3 });
      expect(r.report.failures.map((f) => f.check)).toContain('session_heads');
    }
  });

  it('is kept current by session start, ingest into an open session and session end', () => {
    const path = join(dir, 'open.db');
    const id = origin(['session', 'start', '--path', path, '--meta', 'run=1'], {
      cwd: dir,
    }).stdout.trim();
    const headOf = () =>
      JSON.parse(origin(['inspect', id, '--path', path, '--json'], { cwd: dir }).stdout)
        .session_head as string;
    const started = headOf();
    const r = origin(['ingest', '--path', path, '--session', id, '--format', 'text', '--json'], {
      cwd: dir,
      input: 'a\nb\n',
    });
    expect(r.status).toBe(0);
    const appended = headOf();
    expect(JSON.parse(r.stdout).session_head).toBe(appended);
    const end = origin(['session', 'end', id, '--path', path, '--json'], { cwd: dir });
    const ended = JSON.parse(end.stdout).session_head;
    expect(new Set([started, appended, ended]).size).toBe(3);
    expect(headOf()).toBe(ended);
    expect(
      origin(['verify', '--path', path, '--session', id, '--head', ended], { cwd: dir }).status,
    ).toBe(0);
  });

  it('is carried by a dataset event that names the session (SPEC §2.3)', () => {
    const r = origin(
      ['lineage', 'record', 'dataset', '--path', db, '--session', session, '--json'],
      { cwd: dir },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).payload).toMatchObject({ session_head: head, checksum: root });
  });

  it('is printed on the card and in every export, with the command that checks it', () => {
    const command = `origin verify --session ${session} --root ${root} --head ${head}`;
    const card = origin(['card', session, '--path', db], { cwd: dir });
    expect(card.stdout).toContain(head);
    expect(card.stdout).toContain(command);
    for (const format of [
      'json',
      'jsonl',
      'mlflow',
      'wandb',
      'hf',
      'spdx',
      'cyclonedx',
      'eu-ai-act',
    ]) {
      const out = origin(['export', session, '--path', db, '--format', format], { cwd: dir });
      expect({ format, status: out.status }).toEqual({ format, status: 0 });
      expect({ format, head: out.stdout.includes(head) }).toEqual({ format, head: true });
      expect({ format, command: out.stdout.includes(command) }).toEqual({ format, command: true });
    }
    const [, ...args] = command.split(' ');
    expect(origin([...args, '--path', db], { cwd: dir }).status).toBe(0);
  });
});
