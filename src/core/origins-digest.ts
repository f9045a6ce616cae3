/**
 * The session root commits to what was seen (fingerprints); the origins digest commits to where it
 * came from and under which license: SHA-256 of the JCS array, in session order, of every batch's
 * runs of observations as [source, license, run length]. Recomputed from the stored batches by
 * `origin verify`, so an edited source name, license text or origins column does not go unnoticed.
 */
import { canonicalJson, sha256 } from './fingerprint';
import { decodeOrigins } from './observations';
import { Store } from './store';

type Run = [source: string, license: string, length: number];

/** Every observation's origin of a session as runs, read from its batches in order. */
export function originRuns(store: Store, sessionId: number): Run[] {
  const names = new Map<number, [string, string]>(
    store
      .all<{ id: number; source: string; license: string }>(
        `SELECT o.id AS id, s.name AS source, l.expression AS license
           FROM origins o JOIN sources s ON s.id = o.source_id JOIN licenses l ON l.id = o.license_id`,
      )
      .map((r) => [r.id, [r.source, r.license]]),
  );
  const runs: Run[] = [];
  const batches = store.all<{ record_count: number; origins: Uint8Array; seq: number }>(
    'SELECT seq, record_count, origins FROM batches WHERE session_id = ? ORDER BY seq',
    [sessionId],
  );
  for (const batch of batches) {
    const ids = decodeOrigins(batch.origins, batch.record_count);
    for (let i = 0; i < ids.length;) {
      let j = i + 1;
      while (j < ids.length && ids[j] === ids[i]) j++;
      const name = names.get(ids[i]);
      if (!name)
        throw new RangeError(`batch ${batch.seq} refers to origin ${ids[i]}, which does not exist`);
      const last = runs[runs.length - 1];
      if (last && last[0] === name[0] && last[1] === name[1]) last[2] += j - i;
      else runs.push([name[0], name[1], j - i]);
      i = j;
    }
  }
  return runs;
}

export function computeOriginsDigest(store: Store, sessionId: number): Buffer {
  return sha256(canonicalJson(originRuns(store, sessionId)));
}

/** Stores the session's origins digest; called after every change to its observations. */
export function sealOrigins(store: Store, sessionId: number): void {
  store.run('UPDATE sessions SET origins_digest = ? WHERE id = ?', [
    computeOriginsDigest(store, sessionId),
    sessionId,
  ]);
  store.markChanged();
}
