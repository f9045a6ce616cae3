/**
 * Inserts sample rows (32-byte fingerprint, size) into `samples` in bulk, SAMPLE_ROWS rows per
 * `INSERT OR IGNORE … VALUES` statement, and counts the ones the table did not have yet.
 */
import type { Database, Statement } from 'sql.js';
import { HASH_BYTES } from '../merkle';

/** Rows per statement: one statement per row costs sql.js a step and a reset each. */
export const SAMPLE_ROWS = 512;

function insertSql(rows: number): string {
  return `INSERT OR IGNORE INTO samples (fingerprint, size) VALUES ${new Array<string>(rows).fill('(?, ?)').join(', ')}`;
}

export class SampleInserter {
  private full: Statement | undefined;

  constructor(private readonly db: Database) {}

  /**
   * Inserts `rows` (≤ SAMPLE_ROWS) samples: fingerprint i is keys[32i, 32i + 32), its size
   * sizes[i]. Returns how many of them were new to the table.
   */
  insert(keys: Uint8Array, sizes: ArrayLike<number>, rows: number): number {
    if (rows > SAMPLE_ROWS) throw new RangeError(`at most ${SAMPLE_ROWS} rows per insert`);
    const params: (Uint8Array | number)[] = new Array(2 * rows);
    for (let row = 0; row < rows; row++) {
      params[2 * row] = keys.subarray(row * HASH_BYTES, (row + 1) * HASH_BYTES);
      params[2 * row + 1] = sizes[row];
    }
    if (rows === SAMPLE_ROWS) {
      this.full ??= this.db.prepare(insertSql(SAMPLE_ROWS));
      this.full.run(params);
    } else {
      this.db.run(insertSql(rows), params);
    }
    return this.db.getRowsModified();
  }

  /** Frees the prepared statement; always call it (in a finally). */
  close(): void {
    this.full?.free();
    this.full = undefined;
  }
}
