import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { origin, originAsync, tempDir } from '../helpers/cli';

const { dir, cleanup } = tempDir('origin-checkpoints-');
afterAll(cleanup);

let n = 0;
const freshDb = (): string => join(dir, `c${n++}.db`);

const records = (from: number, count: number, source = 'feed'): string =>
  Array.from({ length: count }, (_, i) => `${JSON.stringify({ i: from + i, source })}\n`).join('');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ListedSession {
  session_id: string;
  status: string;
  records: number;
  writer_died: boolean;
}

function sessions(db: string): ListedSession[] {
  const r = origin(['sessions', '--path', db, '--json'], { cwd: dir });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as ListedSession[];
}

/** Polls until `check` holds (or fails the test after `ms`). */
async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(50);
  }
}

const recordedSoFar = (db: string): number =>
  existsSync(db) ? (sessions(db)[0]?.records ?? 0) : 0;

const leftovers = (db: string): string[] => {
  const base = db.split('/').pop() as string;
  return readdirSync(dir).filter((f) => f !== base && f.includes(base));
};

describe('ingest checkpoints', () => {
  it('commits while streaming; a kill -9 loses at most the last interval, and the session can be closed', async () => {
    const db = freshDb();
    const run = originAsync(['ingest', '--path', db, '--checkpoint-every', '100ms'], { cwd: dir });
    run.child.stdin?.write(records(0, 500));
    await until(() => recordedSoFar(db) === 500);
    const [open] = sessions(db);
    expect(open).toMatchObject({ status: 'open', records: 500, writer_died: false });
    // The store verifies at a checkpoint, while the writer goes on.
    expect(origin(['verify', '--path', db], { cwd: dir }).status).toBe(0);
    // A live writer's session cannot be ended under it.
    const refused = origin(['session', 'end', open.session_id, '--path', db], { cwd: dir });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('is still being written by an ingest');

    run.child.stdin?.write(records(500, 300));
    await sleep(20);
    run.child.kill('SIGKILL');
    await run.done;

    const [after] = sessions(db);
    expect([500, 800]).toContain(after.records);
    expect(after).toMatchObject({ status: 'open', writer_died: true });
    expect(origin(['verify', '--path', db], { cwd: dir }).status).toBe(0);
    const inspect = origin(['inspect', after.session_id, '--path', db], { cwd: dir });
    expect(inspect.stdout).toMatch(
      /Writer: +ingest died \(pid \d+ on .+\); close the session with/,
    );
    const status = origin(['status', '--path', db, '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).writer_died).toEqual([after.session_id]);

    const ended = origin(
      ['session', 'end', after.session_id, '--status', 'interrupted', '--path', db],
      { cwd: dir },
    );
    expect(ended.status).toBe(0);
    expect(sessions(db)[0]).toMatchObject({ status: 'interrupted', writer_died: false });
    // Whatever the kill left (a lock, a half-written save) is gone after the next writer.
    expect(leftovers(db)).toEqual([]);
  }, 60_000);

  it('lets two ingests stream into one session at once, interleaved by commit', async () => {
    const db = freshDb();
    expect(origin(['init', '--path', db], { cwd: dir }).status).toBe(0);
    const started = origin(['session', 'start', '--path', db], { cwd: dir });
    expect(started.status).toBe(0);
    const session = started.stdout.trim();
    const writers = ['a', 'b'].map(() =>
      originAsync(
        [
          'ingest',
          '--path',
          db,
          '--session',
          session,
          '--source-field',
          'source',
          '--checkpoint-every',
          '50ms',
          '--json',
        ],
        { cwd: dir, env: { ORIGIN_LOCK_TIMEOUT: '10' } },
      ),
    );
    for (let round = 0; round < 6; round++) {
      writers.forEach((w, k) => w.child.stdin?.write(records(round * 50, 50, k === 0 ? 'a' : 'b')));
      // Both writers commit this round before the next one is fed.
      await until(() => recordedSoFar(db) === (round + 1) * 100);
    }
    writers.forEach((w) => w.child.stdin?.end());
    const results = await Promise.all(writers.map((w) => w.done));
    for (const r of results) {
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ records: 300 });
    }
    expect(Math.max(...results.map((r) => JSON.parse(r.stdout).checkpoints))).toBeGreaterThan(1);
    const [s] = sessions(db);
    expect(s).toMatchObject({ status: 'open', records: 600, writer_died: false });
    expect(origin(['verify', '--path', db], { cwd: dir }).status).toBe(0);
    // Observations are in commit order: the two sources' runs alternate.
    const exported = origin(['export', session, '--format', 'jsonl', '--path', db], { cwd: dir });
    const order = exported.stdout
      .split('\n')
      .filter((l) => l.includes('"type":"observation"'))
      .map((l) => (JSON.parse(l) as { source: string }).source);
    expect(order).toHaveLength(600);
    const switches = order.filter((src, i) => i > 0 && src !== order[i - 1]).length;
    expect(switches).toBeGreaterThan(1);
    // Each poll runs the CLI: on a busy machine the six rounds take most of a minute.
  }, 180_000);

  it('lets another writer in between commits of a long ingest', async () => {
    const db = freshDb();
    const run = originAsync(['ingest', '--path', db, '--checkpoint-every', '100ms'], { cwd: dir });
    run.child.stdin?.write(records(0, 100));
    await until(() => recordedSoFar(db) === 100);
    const t0 = Date.now();
    const other = origin(['session', 'start', '--path', db], {
      cwd: dir,
      env: { ORIGIN_LOCK_TIMEOUT: '5' },
    });
    expect(other.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    run.child.stdin?.end(records(100, 100));
    expect((await run.done).status).toBe(0);
    expect(
      sessions(db)
        .map((s) => s.records)
        .sort(),
    ).toEqual([0, 200]);
  }, 60_000);

  it('keeps the records before a bad line once a checkpoint was committed, and says so', async () => {
    const db = freshDb();
    const run = originAsync(['ingest', '--path', db, '--checkpoint-every', '100ms'], { cwd: dir });
    run.child.stdin?.write(records(0, 200));
    await until(() => recordedSoFar(db) === 200);
    run.child.stdin?.end(`${records(200, 10)}{"broken": \n${records(210, 5)}`);
    const r = await run.done;
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /stdin:211: invalid JSON.*\(210 records before it were recorded in session [0-9a-f]{32}, now marked failed\)/,
    );
    expect(sessions(db)[0]).toMatchObject({ status: 'failed', records: 210, writer_died: false });
    expect(origin(['verify', '--path', db], { cwd: dir }).status).toBe(0);
  }, 60_000);

  it('records nothing, and creates no database, for an input without records', () => {
    const db = freshDb();
    const empty = origin(['ingest', '--path', db], { cwd: dir, input: '\n\n' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no records in stdin; nothing was recorded');
    expect(existsSync(db)).toBe(false);
    const bad = origin(['ingest', '--path', db, '--skip-invalid'], { cwd: dir, input: 'x\ny\n' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('no valid records in stdin: all 2 lines were invalid');
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a --checkpoint-every it cannot read', () => {
    const r = origin(['ingest', '--path', freshDb(), '--checkpoint-every', '30 seconds'], {
      cwd: dir,
      input: '{"a":1}\n',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      '--checkpoint-every: "30 seconds" is not a duration or a record count',
    );
  });
});
