import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import initSqlJs, { Database } from 'sql.js';

// A deliberately naive RFC 6962 MTH, written straight from SPEC.md §2 and independent of src/.
const sha = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function referenceRoot(leaves: Buffer[]): string {
  const mth = (d: Buffer[]): Buffer => {
    if (d.length === 0) return sha();
    if (d.length === 1) return sha(Buffer.from([0]), d[0]);
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
  };
  return mth(leaves).toString('hex');
}

export const sha256Hex = (data: Buffer | string): string =>
  createHash('sha256').update(data).digest('hex');

export async function openDb(path: string): Promise<Database> {
  const SQL = await initSqlJs();
  return new SQL.Database(readFileSync(path));
}

export function rows<T>(db: Database, sql: string, params: (string | number)[] = []): T[] {
  const stmt = db.prepare(sql);
  stmt.bind(params);
  const out: T[] = [];
  while (stmt.step()) out.push(stmt.getAsObject() as T);
  stmt.free();
  return out;
}

/** Every observation's fingerprint of a session, in order, read from the batch columns. */
export function sessionFingerprints(db: Database, uid: string): Buffer[] {
  const batches = rows<{ fingerprints: Uint8Array }>(
    db,
    'SELECT b.fingerprints FROM batches b JOIN sessions s ON s.id = b.session_id WHERE s.uid = ? ORDER BY b.seq',
    [uid],
  );
  const out: Buffer[] = [];
  for (const b of batches) {
    const buf = Buffer.from(b.fingerprints);
    for (let off = 0; off < buf.length; off += 32) out.push(buf.subarray(off, off + 32));
  }
  return out;
}
