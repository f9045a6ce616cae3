/**
 * Inserts sample rows (32-byte fingerprint, size) into `samples` in bulk: many rows per
 * `INSERT OR IGNORE … VALUES` statement, and counts the ones the table did not have yet.
 *
 * Straight through SQLite's C API where sql.js exports it: the fingerprints are copied into
 * SQLite's heap once per statement and bound where they lie (SQLITE_STATIC). sql.js's own binding
 * would allocate and copy every blob parameter twice, so it gets them as one blob cut up with
 * substr() instead, which costs SQLite a function call and a copy per row: ~20% more time in all.
 */
import type { Database, Statement } from 'sql.js';
import { HASH_BYTES } from '../merkle/fingerprint';
import { SqliteCApi, sqliteCApi } from '../store/sqljs';

/** Rows per statement. */
export const SAMPLE_ROWS = 512;

const SQLITE_OK = 0;
const SQLITE_DONE = 101;
/** The destructor argument that tells SQLite a bound value outlives the statement's use of it. */
const SQLITE_STATIC = 0;

export interface SampleInserter {
  /** Which way rows go in: 'c-api' or 'sql.js'. */
  readonly kind: 'c-api' | 'sql.js';
  /**
   * Inserts `rows` (≤ SAMPLE_ROWS) samples: fingerprint i is keys[32i, 32i + 32), its size
   * sizes[i]. Returns how many of them were new to the table.
   */
  insert(keys: Uint8Array, sizes: ArrayLike<number>, rows: number): number;
  /** Frees what the inserter holds; always call it (in a finally). */
  close(): void;
}

/**
 * An inserter for `db`: through SQLite's C API when sql.js exports it (`cApi`, null to not use it),
 * through sql.js's statements otherwise.
 */
export function sampleInserter(
  db: Database,
  cApi: SqliteCApi | null | undefined = sqliteCApi(),
): SampleInserter {
  const handle = (db as unknown as { db?: unknown }).db;
  if (cApi && typeof handle === 'number') return new CApiInserter(cApi, handle);
  return new SqlJsInserter(db);
}

function valuesSql(rows: number, row: (index: number) => string): string {
  const values: string[] = new Array(rows);
  for (let index = 0; index < rows; index++) values[index] = row(index);
  return `INSERT OR IGNORE INTO samples (fingerprint, size) VALUES ${values.join(', ')}`;
}

class CApiInserter implements SampleInserter {
  readonly kind = 'c-api';
  /** Prepared statements by row count (the full one, and the last, shorter one). */
  private readonly statements = new Map<number, number>();
  /** SQLite-heap copy of the current statement's fingerprints. */
  private readonly keys: number;

  constructor(
    private readonly api: SqliteCApi,
    private readonly db: number,
  ) {
    this.keys = api._malloc(SAMPLE_ROWS * HASH_BYTES);
    if (this.keys === 0) throw new Error('SQLite is out of memory');
  }

  insert(keys: Uint8Array, sizes: ArrayLike<number>, rows: number): number {
    const { api } = this;
    const statement = this.statement(rows);
    // The heap's buffer is replaced whenever it grows: a fresh view every time.
    new Uint8Array(api.heap.buffer, this.keys, rows * HASH_BYTES).set(
      keys.subarray(0, rows * HASH_BYTES),
    );
    for (let row = 0; row < rows; row++) {
      const size = sizes[row];
      const rc =
        api._sqlite3_bind_blob(
          statement,
          2 * row + 1,
          this.keys + row * HASH_BYTES,
          HASH_BYTES,
          SQLITE_STATIC,
        ) |
        (size <= 0x7fffffff
          ? api._sqlite3_bind_int(statement, 2 * row + 2, size)
          : api._sqlite3_bind_double(statement, 2 * row + 2, size));
      if (rc !== SQLITE_OK) this.fail('binding a sample');
    }
    const rc = api._sqlite3_step(statement);
    api._sqlite3_reset(statement);
    if (rc !== SQLITE_DONE) this.fail('inserting samples');
    return api._sqlite3_changes(this.db);
  }

  close(): void {
    for (const statement of this.statements.values()) this.api._sqlite3_finalize(statement);
    this.statements.clear();
    this.api._free(this.keys);
  }

  private statement(rows: number): number {
    const known = this.statements.get(rows);
    if (known !== undefined) return known;
    const { api } = this;
    const sql = Buffer.from(`${valuesSql(rows, (i) => `(?${2 * i + 1}, ?${2 * i + 2})`)}\0`);
    // The SQL text, then 4 bytes for the statement pointer SQLite writes back (WebAssembly
    // stores need no alignment).
    const text = api._malloc(sql.length + 4);
    if (text === 0) throw new Error('SQLite is out of memory');
    const out = text + sql.length;
    try {
      new Uint8Array(api.heap.buffer, text, sql.length).set(sql);
      if (api._sqlite3_prepare_v2(this.db, text, -1, out, 0) !== SQLITE_OK) {
        this.fail('preparing the sample insert');
      }
      const statement = new DataView(api.heap.buffer).getUint32(out, true);
      this.statements.set(rows, statement);
      return statement;
    } finally {
      api._free(text);
    }
  }

  private fail(what: string): never {
    throw new Error(
      `SQLite failed ${what}: ${this.api.UTF8ToString(this.api._sqlite3_errmsg(this.db))}`,
    );
  }
}

/** The insert for `rows` samples: ?1 is every fingerprint back to back, ?2… the sizes. */
function substrValuesSql(rows: number): string {
  return valuesSql(rows, (i) => `(substr(?1, ${i * HASH_BYTES + 1}, ${HASH_BYTES}), ?${i + 2})`);
}

class SqlJsInserter implements SampleInserter {
  readonly kind = 'sql.js';
  private full: Statement | undefined;

  constructor(private readonly db: Database) {}

  insert(keys: Uint8Array, sizes: ArrayLike<number>, rows: number): number {
    const params: (Uint8Array | number)[] = new Array(rows + 1);
    params[0] = keys.subarray(0, rows * HASH_BYTES);
    for (let row = 0; row < rows; row++) params[row + 1] = sizes[row];
    if (rows === SAMPLE_ROWS) {
      this.full ??= this.db.prepare(substrValuesSql(SAMPLE_ROWS));
      this.full.run(params);
    } else {
      this.db.run(substrValuesSql(rows), params);
    }
    return this.db.getRowsModified();
  }

  close(): void {
    this.full?.free();
    this.full = undefined;
  }
}
