/**
 * The sql.js store: one SQLite file, loaded whole, changed in memory, written back atomically
 * and only when a command changed something. Writers hold a lock around read-modify-write: for
 * the whole command, or (a long ingest) only around each commit, bringing in what other writers
 * saved in between.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BindParams, Database, SqlJsStatic, SqlValue } from 'sql.js';
import { IO_CHUNK_BYTES, writeFileAtomic } from './atomic-write';
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
  | 'create'
  /**
   * Like create, but the lock is taken only inside commit(), which first brings in what other
   * writers saved since; changes are made only through commit().
   */
  | 'commits';

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

/** What identifies one saved version of the file (every save renames a new file into place). */
interface FileVersion {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

function sameVersion(a: FileVersion | undefined, b: FileVersion | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function versionOnDisk(path: string): FileVersion | undefined {
  try {
    const { dev, ino, size, mtimeMs } = statSync(path);
    return { dev, ino, size, mtimeMs };
  } catch {
    return undefined;
  }
}

/** The whole file and the version read, in chunks (one read call stops at 2 GiB). */
function readFile(path: string): { bytes: Buffer; version: FileVersion } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new StoreError(`${path} is not a file`, INIT_HINT);
    const { dev, ino, size, mtimeMs } = stat;
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, bytes, at, Math.min(IO_CHUNK_BYTES, size - at), at);
      if (n === 0) break;
      at += n;
    }
    return { bytes: bytes.subarray(0, at), version: { dev, ino, size, mtimeMs } };
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot read ${path}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function corrupt(path: string, err: unknown): StoreError {
  return new StoreError(
    `${path} is corrupt: ${(err as Error).message}`,
    'restore the database from a backup; Origin left the file as it was',
  );
}

/**
 * The largest database the embedded engine saves. sql.js keeps the database in WebAssembly memory
 * (at most 4 GiB) and export() copies it once more; measured (npm run ceiling), 3.5 GiB still
 * saved, taking 90 s. The margin keeps a save well away from the cap.
 */
export const EMBEDDED_CEILING_BYTES = 3 * 1024 ** 3;

function pastCeiling(path: string, bytes: number): StoreError {
  const gib = (n: number): string => `${(n / 1024 ** 3).toFixed(2)} GiB`;
  return new StoreError(
    `${path} would grow to ${gib(bytes)}, past the ${gib(EMBEDDED_CEILING_BYTES)} the embedded engine can save; this change was not written (the file is as the last commit left it)`,
    'record further sessions in a new database file (--path), or move to a server engine (PostgreSQL) once it is available',
  );
}

/** A command that creates the database creates its directory too (`init --path a/b.db`). */
function createParentDirectory(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new StoreError(
      `cannot create the directory of ${path}: ${(err as Error).message}`,
      'choose another --path / ORIGIN_DB_PATH',
    );
  }
}

/**
 * Writers never replace a file they may not write, nor one with no write permission at all
 * (root may write anything; a file marked read-only is still refused).
 */
function refuseReadOnly(path: string): void {
  try {
    accessSync(path, constants.W_OK);
    if ((statSync(path).mode & 0o222) === 0) throw new Error('read-only');
  } catch {
    throw new StoreError(
      `${path} is read-only; origin does not replace a database it may not write`,
      `make it writable (chmod u+w ${path}) to record into it; read commands (verify, card, export) work as they are`,
    );
  }
}

function cannotSave(path: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as NodeJS.ErrnoException;
  const hint =
    e.code === 'ENOSPC' || e.code === 'EDQUOT'
      ? `make room on the device that holds ${dirname(path)}; the database is as it was before this change`
      : e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS'
        ? `origin writes a new file beside the database and renames it into place: ${dirname(path)} must be writable`
        : 'the database is as it was before this change';
  return new StoreError(`cannot save the database ${path}: ${e.message}`, hint);
}

export class Store {
  private dirty = false;
  /** The version of the file the database in memory was read from or last saved as. */
  private version: FileVersion | undefined;

  private constructor(
    readonly path: string,
    private database: Database,
    readonly mode: OpenMode,
    /** Held from open to close, except in 'commits' mode (then only inside commit()). */
    private lock: HeldLock | undefined,
    readonly created: boolean,
    private readonly sql: SqlJsStatic,
  ) {}

  get db(): Database {
    return this.database;
  }

  /** Opens (or, in 'create' and 'commits' mode, creates) the database at an absolute path. */
  static async open(path: string, options: OpenOptions): Promise<Store> {
    if (options.mode === 'create') createParentDirectory(path);
    const lock =
      options.mode === 'read' || options.mode === 'commits'
        ? undefined
        : await Store.takeLock(path, options);
    try {
      const store = await Store.openLocked(path, options.mode, lock);
      store.lockOptions = options;
      return store;
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  private lockOptions: OpenOptions | undefined;

  private static takeLock(path: string, options: OpenOptions): Promise<HeldLock> {
    return acquireWriteLock(path, {
      timeoutMs: options.lockTimeoutMs ?? lockTimeoutFromEnv(),
      onWait: (ms) => options.onLockWait?.(path, ms),
    });
  }

  private static async openLocked(
    path: string,
    mode: OpenMode,
    lock: HeldLock | undefined,
  ): Promise<Store> {
    const SQL = await loadSqlJs();
    if (!existsSync(path)) {
      if (mode !== 'create' && mode !== 'commits') {
        throw new StoreError(`no Origin database at ${path}`, INIT_HINT);
      }
      const fresh = new Store(path, new SQL.Database(), mode, lock, true, SQL);
      fresh.useMemoryJournal();
      fresh.migrate(0);
      // In 'commits' mode nothing is written until the first commit.
      if (mode === 'commits') fresh.dirty = false;
      return fresh;
    }
    if (mode !== 'read') refuseReadOnly(path);
    const { bytes, version } = readFile(path);
    const store = new Store(path, Store.load(SQL, path, bytes), mode, lock, false, SQL);
    store.version = version;
    store.prepare();
    return store;
  }

  /** A database from the file's bytes, after checking its header. */
  private static load(SQL: SqlJsStatic, path: string, bytes: Buffer): Database {
    inspectHeader(path, bytes);
    try {
      return new SQL.Database(bytes);
    } catch (err) {
      throw corrupt(path, err);
    }
  }

  /** Checks the tables and brings the schema up to date (in memory). */
  private prepare(): void {
    if (this.mode !== 'read') this.useMemoryJournal();
    try {
      this.checkTables();
      const version = this.schemaVersion;
      if (version < SCHEMA_VERSION) this.migrate(version);
      // An upgrade made on reading is saved by the first commit, with it.
      if (this.mode === 'commits') this.dirty = false;
    } catch (err) {
      this.database.close();
      if (err instanceof StoreError) throw err;
      throw corrupt(this.path, err);
    }
  }

  /**
   * The rollback journal in memory rather than in sql.js's in-memory file system: the file on
   * disk is only ever replaced whole (see save), so a journal file adds copies and no safety.
   */
  private useMemoryJournal(): void {
    this.database.exec('PRAGMA journal_mode = MEMORY');
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
      if (from === 0) this.database.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      for (let v = from; v < MIGRATIONS.length; v++) {
        this.database.exec(MIGRATIONS[v].sql);
        MIGRATIONS[v].derive?.(this);
      }
      this.database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
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
    this.database.exec('BEGIN');
    try {
      const result = fn();
      this.database.exec('COMMIT');
      if (this.mode !== 'read') this.dirty = true;
      return result;
    } catch (err) {
      this.database.exec('ROLLBACK');
      throw err;
    }
  }

  run(sql: string, params?: BindParams): void {
    this.database.run(sql, params);
  }

  /** All rows of a query as objects. */
  all<T = Record<string, SqlValue>>(sql: string, params?: BindParams): T[] {
    const stmt = this.database.prepare(sql);
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
    const stmt = this.database.prepare(sql);
    try {
      if (params !== undefined) stmt.bind(params);
      if (!stmt.step()) throw new Error(`no row for: ${sql}`);
      return stmt.get()[0] as T;
    } finally {
      stmt.free();
    }
  }

  /**
   * Runs fn in one transaction and makes it durable. In 'commits' mode: takes the lock, brings in
   * what other writers saved since this process last read or saved the file, runs fn, saves,
   * and releases the lock. In 'write' and 'create' mode (the lock is held already) the change is
   * saved by close(). If fn throws, the transaction is rolled back and nothing is written.
   */
  async commit<T>(fn: () => T): Promise<T> {
    if (this.mode === 'read') throw new Error('a read-only store cannot be changed');
    if (this.mode !== 'commits') return this.transaction(fn);
    if (this.created) createParentDirectory(this.path);
    const asked = Date.now();
    const lock = await Store.takeLock(this.path, this.lockOptions ?? { mode: this.mode });
    const locked = Date.now();
    this.lock = lock;
    try {
      this.reloadIfChanged();
      const result = this.transaction(fn);
      try {
        this.save();
      } catch (err) {
        // Memory now holds what the file does not: read the file again before the next commit.
        this.version = undefined;
        throw err;
      }
      return result;
    } finally {
      this.lock = undefined;
      lock.release();
      this.commitTimes.waitedMsMax = Math.max(this.commitTimes.waitedMsMax, locked - asked);
      this.commitTimes.heldMsMax = Math.max(this.commitTimes.heldMsMax, Date.now() - locked);
    }
  }

  /** The longest wait for the writer lock and the longest time it was held, over all commits. */
  readonly commitTimes = { waitedMsMax: 0, heldMsMax: 0 };

  /** Whether another writer saved the file since this process last read or saved it. */
  private changedOnDisk(): boolean {
    return !sameVersion(this.version, versionOnDisk(this.path));
  }

  private reloadIfChanged(): void {
    if (!this.changedOnDisk()) return;
    if (!existsSync(this.path)) {
      throw new StoreError(`${this.path} was removed while this command ran`, INIT_HINT);
    }
    const { bytes, version } = readFile(this.path);
    const db = Store.load(this.sql, this.path, bytes);
    this.database.close();
    this.database = db;
    this.version = version;
    this.prepare();
  }

  /** Writes the database if it changed (atomically), then releases the lock and frees memory. */
  async close(): Promise<void> {
    try {
      if (this.dirty) {
        if (this.mode === 'commits') throw new Error('a change was made outside commit()');
        this.save();
      }
    } finally {
      this.database.close();
      this.lock?.release();
    }
  }

  /** Releases everything without writing: the file stays exactly as it was. */
  async abandon(): Promise<void> {
    this.dirty = false;
    this.database.close();
    this.lock?.release();
  }

  private save(): void {
    if (this.lock && !this.lock.held()) {
      throw new StoreError(
        `lost the lock on ${this.path} to another process; nothing was written`,
        'run the command again',
      );
    }
    const pageBytes =
      this.scalar<number>('PRAGMA page_count') * this.scalar<number>('PRAGMA page_size');
    if (pageBytes > EMBEDDED_CEILING_BYTES) throw pastCeiling(this.path, pageBytes);
    try {
      writeFileAtomic(this.path, this.database.export());
    } catch (err) {
      throw cannotSave(this.path, err);
    }
    this.version = versionOnDisk(this.path);
    this.dirty = false;
    this.saves++;
  }

  /** How many times this process saved the file. */
  saves = 0;
}
