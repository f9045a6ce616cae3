/**
 * The sql.js store: one SQLite file, loaded whole, changed in memory, written back atomically
 * and only when a command changed something. Writers hold a lock around read-modify-write.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BindParams, Database, SqlValue } from 'sql.js';
import { writeFileAtomic } from './atomic-write';
import { StoreError } from '../errors';
import { HeldLock, acquireWriteLock, lockTimeoutFromEnv } from './lock';
import { APPLICATION_ID, MIGRATIONS, REQUIRED_TABLES, SCHEMA_VERSION } from './schema';
import { loadSqlJs } from './sqljs';

export const DEFAULT_DB_PATH = 'origin.db';

export type OpenMode =
  /** Read only: the file must exist; nothing is ever written. */
  | 'read'
  /** Read-modify-write: the file must exist; takes the writer lock. */
  | 'write'
  /** Like write, but creates the database when there is none. */
  | 'create';

export interface OpenOptions {
  mode: OpenMode;
  /** Told when another writer holds the lock and we wait for it. */
  onLockWait?: (path: string, timeoutMs: number) => void;
  lockTimeoutMs?: number;
}

/** Resolves the database path: --path/--db, then ORIGIN_DB_PATH, then ./origin.db. */
export function resolveDbPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const chosen = flag ?? (env.ORIGIN_DB_PATH || undefined) ?? DEFAULT_DB_PATH;
  return resolve(chosen);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const INIT_HINT = 'run `origin init` to create a database, or point --path / ORIGIN_DB_PATH at one';

/**
 * Checks the 100-byte SQLite header before sql.js sees the file, so a foreign, truncated or newer
 * file is refused with a precise reason.
 */
export function inspectHeader(path: string, bytes: Buffer): { userVersion: number } {
  if (bytes.length === 0) {
    throw new StoreError(`${path} is empty, not an Origin database`, INIT_HINT);
  }
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new StoreError(`${path} is not an Origin database (not an SQLite file)`, INIT_HINT);
  }
  const applicationId = bytes.readUInt32BE(68);
  const userVersion = bytes.readUInt32BE(60);
  if (applicationId !== APPLICATION_ID) {
    throw new StoreError(
      `${path} is an SQLite database but not an Origin database (application_id 0x${applicationId.toString(16)})`,
      'Origin never changes databases of other programs; choose another --path',
    );
  }
  const rawPageSize = bytes.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pageCount = bytes.readUInt32BE(28);
  if (pageCount > 0 && bytes.length < pageSize * pageCount) {
    throw new StoreError(
      `${path} is truncated: the header declares ${pageCount * pageSize} bytes but the file has ${bytes.length}`,
      'restore the database from a backup; Origin left the file as it was',
    );
  }
  if (userVersion > SCHEMA_VERSION) {
    throw new StoreError(
      `${path} has schema version ${userVersion}, newer than this origin understands (${SCHEMA_VERSION})`,
      'upgrade origin to open it; the file was left untouched',
    );
  }
  return { userVersion };
}

/** The whole file, read in one pass. */
function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new StoreError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function corrupt(path: string, err: unknown): StoreError {
  return new StoreError(
    `${path} is corrupt: ${(err as Error).message}`,
    'restore the database from a backup; Origin left the file as it was',
  );
}

export class Store {
  private dirty = false;

  private constructor(
    readonly path: string,
    readonly db: Database,
    readonly mode: OpenMode,
    private readonly lock: HeldLock | undefined,
    readonly created: boolean,
  ) {}

  /** Opens (or, in 'create' mode, creates) the database at an absolute path. */
  static async open(path: string, options: OpenOptions): Promise<Store> {
    const lock =
      options.mode === 'read'
        ? undefined
        : await acquireWriteLock(path, {
            timeoutMs: options.lockTimeoutMs ?? lockTimeoutFromEnv(),
            onWait: (ms) => options.onLockWait?.(path, ms),
          });
    try {
      return await Store.openLocked(path, options.mode, lock);
    } catch (err) {
      await lock?.release();
      throw err;
    }
  }

  private static async openLocked(
    path: string,
    mode: OpenMode,
    lock: HeldLock | undefined,
  ): Promise<Store> {
    const SQL = await loadSqlJs();
    if (!existsSync(path)) {
      if (mode !== 'create') throw new StoreError(`no Origin database at ${path}`, INIT_HINT);
      const fresh = new Store(path, new SQL.Database(), mode, lock, true);
      fresh.useMemoryJournal();
      fresh.migrate(0);
      return fresh;
    }
    if (!statSync(path).isFile()) throw new StoreError(`${path} is not a file`, INIT_HINT);
    const bytes = readFile(path);
    const { userVersion } = inspectHeader(path, bytes);
    let db: Database;
    try {
      db = new SQL.Database(bytes);
    } catch (err) {
      throw corrupt(path, err);
    }
    const store = new Store(path, db, mode, lock, false);
    if (mode !== 'read') store.useMemoryJournal();
    try {
      store.checkTables();
      if (userVersion < SCHEMA_VERSION) store.migrate(userVersion);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw corrupt(path, err);
    }
    return store;
  }

  /**
   * The rollback journal in memory rather than in sql.js's in-memory file system: the file on
   * disk is only ever replaced whole (see save), so a journal file adds copies and no safety.
   */
  private useMemoryJournal(): void {
    this.db.exec('PRAGMA journal_mode = MEMORY');
  }

  private checkTables(): void {
    const version = this.scalar<number>('PRAGMA user_version');
    if (version === 0) return;
    const present = new Set(
      this.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map(
        (r) => r.name,
      ),
    );
    const missing = REQUIRED_TABLES.filter((t) => !present.has(t));
    if (missing.length > 0 && version === SCHEMA_VERSION) {
      throw new StoreError(
        `${this.path} is damaged: missing table(s) ${missing.join(', ')}`,
        'restore the database from a backup; Origin left the file as it was',
      );
    }
  }

  /**
   * Brings the schema up to date. A read-only store is upgraded in memory only: the file keeps
   * its version until a command that writes opens it.
   */
  private migrate(from: number): void {
    this.transaction(() => {
      if (from === 0) this.db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      for (let v = from; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]);
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      if (from === 0) {
        this.run('INSERT INTO meta (key, value) VALUES (?, ?)', [
          'created_at',
          new Date().toISOString(),
        ]);
      }
    });
  }

  get schemaVersion(): number {
    return this.scalar<number>('PRAGMA user_version');
  }

  /** Marks the store as changed, so close() writes it. */
  markChanged(): void {
    if (this.mode === 'read') throw new Error('a read-only store cannot be changed');
    this.dirty = true;
  }

  get changed(): boolean {
    return this.dirty;
  }

  /** Runs fn inside one SQL transaction, rolled back if it throws; marks the store changed. */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      if (this.mode !== 'read') this.dirty = true;
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  run(sql: string, params?: BindParams): void {
    this.db.run(sql, params);
  }

  /** All rows of a query as objects. */
  all<T = Record<string, SqlValue>>(sql: string, params?: BindParams): T[] {
    const stmt = this.db.prepare(sql);
    try {
      if (params !== undefined) stmt.bind(params);
      const rows: T[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject() as T);
      return rows;
    } finally {
      stmt.free();
    }
  }

  /** The first row of a query, or undefined. */
  get<T = Record<string, SqlValue>>(sql: string, params?: BindParams): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** The first column of the first row. */
  scalar<T extends SqlValue>(sql: string, params?: BindParams): T {
    const stmt = this.db.prepare(sql);
    try {
      if (params !== undefined) stmt.bind(params);
      if (!stmt.step()) throw new Error(`no row for: ${sql}`);
      return stmt.get()[0] as T;
    } finally {
      stmt.free();
    }
  }

  /** Writes the database if it changed (atomically), then releases the lock and frees memory. */
  async close(): Promise<void> {
    try {
      if (this.dirty) this.save();
    } finally {
      this.db.close();
      await this.lock?.release();
    }
  }

  /** Releases everything without writing: the file stays exactly as it was. */
  async abandon(): Promise<void> {
    this.dirty = false;
    this.db.close();
    await this.lock?.release();
  }

  private save(): void {
    if (this.lock && !this.lock.held()) {
      throw new StoreError(
        `lost the lock on ${this.path} to another process; nothing was written`,
        'run the command again',
      );
    }
    writeFileAtomic(this.path, this.db.export());
    this.dirty = false;
  }
}
