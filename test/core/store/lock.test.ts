import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  LockHolder,
  STALE_MS,
  acquireWriteLock,
  currentWriter,
  holderAlive,
  lockPathOf,
  processStartTime,
} from '../../../src/core/store/lock';
import { StoreError } from '../../../src/core/errors';
import { tempDir } from '../../helpers/cli';

const { dir, cleanup } = tempDir('origin-lock-');
afterAll(cleanup);

let n = 0;
const dbPath = (): string => join(dir, `l${n++}.db`);

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

function writeLock(path: string, holder: Partial<LockHolder>, ageMs = 0): void {
  const full: LockHolder = {
    pid: 1,
    host: hostname(),
    started: null,
    nonce: 'feedface',
    acquired_at: new Date().toISOString(),
    ...holder,
  };
  const lock = lockPathOf(path);
  writeFileSync(lock, JSON.stringify(full));
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    utimesSync(lock, then, then);
  }
}

describe('the writer lock', () => {
  it('names its holder and is gone after release', async () => {
    const path = dbPath();
    const lock = await acquireWriteLock(path, { timeoutMs: 0 });
    const holder = JSON.parse(readFileSync(lockPathOf(path), 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(holder.started).toBe(processStartTime(process.pid));
    expect(lock.held()).toBe(true);
    lock.release();
    expect(existsSync(lockPathOf(path))).toBe(false);
    // Nothing else is left beside the database.
    expect(readdirSync(dir).filter((f) => f.includes(`l${n - 1}.db`))).toEqual([]);
  });

  it('takes over at once a lock whose holder died on this host', async () => {
    const path = dbPath();
    writeLock(path, { pid: deadPid() });
    const started = Date.now();
    const lock = await acquireWriteLock(path, { timeoutMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lock.held()).toBe(true);
    lock.release();
  });

  it('takes over a lock naming a live pid that belongs to another process now (pid reuse)', async () => {
    const path = dbPath();
    if (processStartTime(process.pid) === null) return; // no /proc here: pids cannot be told apart
    writeLock(path, { pid: process.pid, started: 'another-start-time' });
    expect(holderAlive({ pid: process.pid, started: 'another-start-time' })).toBe(false);
    const lock = await acquireWriteLock(path, { timeoutMs: 0 });
    lock.release();
  });

  it('waits for a live holder on this host, then gives up naming it', async () => {
    const path = dbPath();
    writeLock(path, { ...currentWriter(), nonce: 'someone-else' }, 10 * STALE_MS);
    const waits: number[] = [];
    const started = Date.now();
    await expect(
      acquireWriteLock(path, { timeoutMs: 200, onWait: (ms) => waits.push(ms) }),
    ).rejects.toThrow(
      new StoreError(
        `another origin process (pid ${process.pid} on ${hostname()}) is writing ${path}; gave up after 0.2 s`,
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(waits).toEqual([200]);
    // A live local holder is never taken over, however old its lock.
    expect(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).nonce).toBe('someone-else');
  });

  it('waits for a holder on another host while it refreshes, and takes over once it stops', async () => {
    const path = dbPath();
    writeLock(path, { host: 'elsewhere.example', pid: 4242 });
    await expect(acquireWriteLock(path, { timeoutMs: 100 })).rejects.toThrow(
      /pid 4242 on elsewhere\.example/,
    );
    writeLock(path, { host: 'elsewhere.example', pid: 4242 }, STALE_MS + 5000);
    const lock = await acquireWriteLock(path, { timeoutMs: 0 });
    expect(lock.held()).toBe(true);
    lock.release();
  });

  it('removes what killed writers left: temp files of saves, and old lock drafts', async () => {
    const path = dbPath();
    const base = path.split('/').pop() as string;
    const save = join(dir, `.${base}.tmp-99999-0badf00d`);
    const oldDraft = join(dir, `.${base}.lock-99999-0ld`);
    const freshDraft = join(dir, `.${base}.lock-99998-fresh`);
    const unrelated = join(dir, `.other.db.tmp-1-2`);
    for (const f of [save, oldDraft, freshDraft, unrelated]) writeFileSync(f, 'x');
    const old = new Date(Date.now() - 2 * STALE_MS);
    utimesSync(oldDraft, old, old);
    const lock = await acquireWriteLock(path, { timeoutMs: 0 });
    expect([save, oldDraft, freshDraft, unrelated].map((f) => existsSync(f))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    lock.release();
  });

  it('knows when another process took its lock over, and then leaves that lock alone', async () => {
    const path = dbPath();
    const lock = await acquireWriteLock(path, { timeoutMs: 0 });
    writeLock(path, { nonce: 'the-new-holder' });
    expect(lock.held()).toBe(false);
    lock.release();
    expect(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).nonce).toBe('the-new-holder');
  });

  it('says which directory is missing', async () => {
    await expect(
      acquireWriteLock(join(dir, 'no', 'such', 'x.db'), { timeoutMs: 0 }),
    ).rejects.toThrow(/the directory .*no\/such does not exist/);
  });

  it('says a name too long for the file system is too long', async () => {
    await expect(
      acquireWriteLock(join(dir, `${'a'.repeat(240)}.db`), { timeoutMs: 0 }),
    ).rejects.toThrow(/the file name is too long for the file system \(ENAMETOOLONG\)/);
  });
});
