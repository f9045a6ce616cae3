import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../../../src/core/errors';
import { acquireWriteLock } from '../../../src/core/store/lock';
import { SCHEMA_VERSION } from '../../../src/core/store/schema';
import { Store, inspectHeader, resolveDbPath } from '../../../src/core/store/store';
import { tempDir } from '../../helpers/cli';

describe('Store', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('origin-store-')));
  afterEach(() => cleanup());

  it('resolves the path from the flag, then ORIGIN_DB_PATH, then ./origin.db', () => {
    expect(resolveDbPath('a.db', { ORIGIN_DB_PATH: 'b.db' })).toBe(join(process.cwd(), 'a.db'));
    expect(resolveDbPath(undefined, { ORIGIN_DB_PATH: 'b.db' })).toBe(join(process.cwd(), 'b.db'));
    expect(resolveDbPath(undefined, {})).toBe(join(process.cwd(), 'origin.db'));
  });

  it('creates, migrates to the current schema and saves atomically (no temp files left)', async () => {
    const path = join(dir, 'o.db');
    const store = await Store.open(path, { mode: 'create' });
    expect(store.created).toBe(true);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    await store.close();
    expect(readdirSync(dir)).toEqual(['o.db']);
    expect(inspectHeader(path, readFileSync(path)).userVersion).toBe(SCHEMA_VERSION);
  });

  it('writes nothing when nothing changed, and nothing when the command abandons', async () => {
    const path = join(dir, 'o.db');
    await (await Store.open(path, { mode: 'create' })).close();
    const before = readFileSync(path);

    const unchanged = await Store.open(path, { mode: 'write' });
    expect(unchanged.changed).toBe(false);
    await unchanged.close();
    expect(readFileSync(path).equals(before)).toBe(true);

    const abandoned = await Store.open(path, { mode: 'write' });
    abandoned.transaction(() => abandoned.run("INSERT INTO meta VALUES ('x', 'y')"));
    await abandoned.abandon();
    expect(readFileSync(path).equals(before)).toBe(true);

    const failed = await Store.open(path, { mode: 'write' });
    expect(() =>
      failed.transaction(() => {
        failed.run("INSERT INTO meta VALUES ('x', 'y')");
        throw new Error('bad input');
      }),
    ).toThrow('bad input');
    expect(failed.scalar("SELECT count(*) FROM meta WHERE key = 'x'")).toBe(0);
    await failed.abandon();
  });

  it('saves what a command changed, and nothing of what it rolled back', async () => {
    const path = join(dir, 'o.db');
    const insert = (store: Store, from: number): void => {
      for (let i = from; i < from + 2000; i++) {
        store.run('INSERT INTO samples (fingerprint, size) VALUES (randomblob(32), ?)', [i]);
      }
    };
    const created = await Store.open(path, { mode: 'create' });
    created.transaction(() => insert(created, 0));
    await created.close();
    const pages = (bytes: Buffer): number => bytes.readUInt32BE(28) * bytes.readUInt16BE(16);
    const first = readFileSync(path);
    expect(first.length).toBe(pages(first));

    const again = await Store.open(path, { mode: 'write' });
    expect(() =>
      again.transaction(() => {
        insert(again, 5000);
        throw new Error('bad input');
      }),
    ).toThrow('bad input');
    again.transaction(() => insert(again, 2000));
    await again.close();
    const second = readFileSync(path);
    expect(second.length).toBe(pages(second));

    const reread = await Store.open(path, { mode: 'read' });
    expect(reread.scalar('SELECT count(*) FROM samples')).toBe(4000);
    expect(reread.scalar('SELECT count(*) FROM samples WHERE size >= 5000')).toBe(0);
    expect(reread.scalar('PRAGMA integrity_check')).toBe('ok');
    await reread.close();
  });

  it('refuses to change a read-only store', async () => {
    const path = join(dir, 'o.db');
    await (await Store.open(path, { mode: 'create' })).close();
    const store = await Store.open(path, { mode: 'read' });
    expect(() => store.markChanged()).toThrow(/read-only/);
    await store.close();
  });

  it('makes a second writer wait, then fail with a clear message when time runs out', async () => {
    const path = join(dir, 'o.db');
    const held = await acquireWriteLock(path, { timeoutMs: 0 });
    const waited: number[] = [];
    const started = Date.now();
    await expect(
      Store.open(path, {
        mode: 'create',
        lockTimeoutMs: 300,
        onLockWait: (_p, ms) => waited.push(ms),
      }),
    ).rejects.toThrow(/another origin process \(pid \d+ on .+\) is writing .*gave up after 0\.3 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(waited).toEqual([300]);
    await held.release();
    await (await Store.open(path, { mode: 'create', lockTimeoutMs: 300 })).close();
  });

  it('rejects a non-numeric ORIGIN_LOCK_TIMEOUT', async () => {
    const { lockTimeoutFromEnv } = await import('../../../src/core/store/lock');
    expect(() => lockTimeoutFromEnv({ ORIGIN_LOCK_TIMEOUT: 'soon' })).toThrow(StoreError);
    expect(lockTimeoutFromEnv({ ORIGIN_LOCK_TIMEOUT: '2.5' })).toBe(2500);
  });

  it('loses no update when real processes write at once', async () => {
    const path = join(dir, 'race.db');
    await (await Store.open(path, { mode: 'create' })).close();
    const script = join(__dirname, '../../fixtures/append-meta.js');
    const writers = 4;
    const times = 5;
    const exits = await Promise.all(
      Array.from(
        { length: writers },
        (_, w) =>
          new Promise<number>((resolveExit) => {
            const child = spawn(process.execPath, [script, path, `w${w}`, String(times)], {
              stdio: 'inherit',
            });
            child.on('close', (code) => resolveExit(code ?? -1));
          }),
      ),
    );
    expect(exits).toEqual(Array(writers).fill(0));
    const store = await Store.open(path, { mode: 'read' });
    // created_at plus one row per write: every write saw every earlier one.
    expect(store.scalar('SELECT count(*) FROM meta')).toBe(1 + writers * times);
    const counts = store
      .all<{ value: string }>("SELECT value FROM meta WHERE key != 'created_at'")
      .map((r) => Number(r.value));
    expect(new Set(counts).size).toBe(writers * times);
    await store.close();
  });

  it('refuses a file whose header names another program, without reading further', () => {
    const path = join(dir, 'x.db');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(200)]),
    );
    expect(() => inspectHeader(path, readFileSync(path))).toThrow(/not an Origin database/);
  });
});
