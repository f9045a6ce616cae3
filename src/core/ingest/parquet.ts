/**
 * Rows of a Parquet file (hyparquet, pure JavaScript), read one row group at a time so memory is
 * bounded by the largest row group. Each row becomes a JSON object: SPEC §1 then applies as to a
 * JSONL record. Parquet needs random access, so it is read from files only.
 */
import { open } from 'node:fs/promises';
import type { AsyncBuffer } from 'hyparquet';
import { RowError } from './rows';

export interface ParquetRow {
  record: Record<string, unknown>;
  /** 1-based row number in the file. */
  row: number;
}

/** A Parquet value as JSON (the mapping README documents): throws a reason when it has none. */
export function parquetValueToJson(value: unknown, column: string): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value))
        throw `column "${column}" holds ${value}, which JSON cannot represent`;
      return Object.is(value, -0) ? 0 : value;
    case 'bigint':
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw `column "${column}" holds the integer ${value}, beyond what a JSON number keeps exactly (±2^53−1)`;
      }
      return Number(value);
    default:
      break;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw `column "${column}" holds an invalid date`;
    return value.toISOString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => parquetValueToJson(v, column));
  if (typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[key] = parquetValueToJson(v, `${column}.${key}`);
    }
    return out;
  }
  throw `column "${column}" holds a value of type ${typeof value}`;
}

/** A file as hyparquet's AsyncBuffer: its size and reads of byte ranges. */
async function fileBuffer(
  path: string,
): Promise<{ file: AsyncBuffer; close: () => Promise<void> }> {
  const handle = await open(path, 'r');
  const byteLength = (await handle.stat()).size;
  const slice = async (from: number, to = byteLength): Promise<ArrayBuffer> => {
    const bytes = new Uint8Array(Math.max(0, Math.min(to, byteLength) - from));
    for (let done = 0; done < bytes.length;) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, from + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return bytes.buffer;
  };
  return { file: { byteLength, slice }, close: () => handle.close() };
}

/** The rows of the Parquet file at `path`, in file order; RowError (with the row) when it cannot be read. */
export async function* parquetRows(path: string): AsyncGenerator<ParquetRow> {
  // ESM-only package: loaded when a Parquet file is read.
  const hyparquet = await import('hyparquet');
  let row = 0;
  const fail = (err: unknown): never => {
    throw new RowError(row + 1, `Parquet: ${(err as Error).message ?? String(err)}`);
  };
  const { file, close } = await fileBuffer(path);
  try {
    const metadata = await hyparquet.parquetMetadataAsync(file).catch(fail);
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      const rows = (await hyparquet
        .parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end })
        .catch(fail)) as Record<string, unknown>[];
      for (const values of rows) {
        const record = Object.create(null) as Record<string, unknown>;
        for (const [column, value] of Object.entries(values)) {
          try {
            record[column] = parquetValueToJson(value, column);
          } catch (reason) {
            throw new RowError(row + 1, String(reason));
          }
        }
        row++;
        yield { record, row };
      }
      start = end;
    }
  } finally {
    await close();
  }
}
