/**
 * The session root commits to what was seen (fingerprints); the origins digest commits to where it
 * came from and under which license: SHA-256 of the JCS array, in session order, of every batch's
 * runs of observations as [source, license, run length]. Recomputed from the stored batches by
 * `origin verify`, so an edited source name, license text or origins column does not go unnoticed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, sha256 } from './fingerprint';
import { decodeOriginRuns, originNames } from './observations';
import { Store } from './store';

type Run = [source: string, license: string, length: number];

/** Every observation's origin of a session as runs, read from its batches in order. */
export function originRuns(store: Store, sessionId: number): Run[] {
  const names = originNames(store);
  const runs: Run[] = [];
  const batches = store.all<{ record_count: number; origins: Uint8Array; seq: number }>(
    'SELECT seq, record_count, origins FROM batches WHERE session_id = ? ORDER BY seq',
    [sessionId],
  );
  for (const batch of batches) {
    const pairs = decodeOriginRuns(batch.origins, batch.record_count);
    for (let r = 0; r < pairs.length; r += 2) {
      const name = names.get(pairs[r]);
      if (!name)
        throw new RangeError(
          `batch ${batch.seq} refers to origin ${pairs[r]}, which does not exist`,
        );
      const last = runs[runs.length - 1];
      if (last && last[0] === name[0] && last[1] === name[1]) last[2] += pairs[r + 1];
      else runs.push([name[0], name[1], pairs[r + 1]]);
    }
  }
  return runs;
}

/** The JCS array of runs built as objects: the definition, kept for tests; slow on interleaved sources. */
export function referenceOriginsDigest(store: Store, sessionId: number): Buffer {
  return sha256(canonicalJson(originRuns(store, sessionId)));
}

/** The digest, streamed from the stored origins columns without building the runs array. */
export function computeOriginsDigest(store: Store, sessionId: number): Buffer {
  const names = originNames(store);
  const batches = store
    .all<{ record_count: number; origins: Uint8Array }>(
      'SELECT record_count, origins FROM batches WHERE session_id = ? ORDER BY seq',
      [sessionId],
    )
    .map((b) => decodeOriginRuns(b.origins, b.record_count));
  return streamOriginsDigest(names, batches);
}

/**
 * The origins digest of origins-digest.ts (SHA-256 of the JCS array of [source, license, run]
 * runs in session order), computed from the decoded origin runs and written byte by byte into
 * the hash: computeOriginsDigest builds every run as an array first, which takes seconds on a
 * million observations that alternate sources. Runs merge by (source, license) across batches
 * exactly as there; the JCS of such an array is what is written here (strings as
 * JSON.stringify, integers as their digits, no whitespace). The tests hold the two equal.
 */
export function streamOriginsDigest(
  names: ReadonlyMap<number, readonly [string, string]>,
  batches: readonly (Float64Array | string)[],
): Buffer {
  // Each origin id's run prefix `[source,license,` as bytes; ids with equal names share a key.
  const keyOf = new Map<number, number>();
  const keyBytes: Buffer[] = [];
  const byText = new Map<string, number>();
  for (const [id, [source, license]] of names) {
    const text = `[${JSON.stringify(source)},${JSON.stringify(license)},`;
    let key = byText.get(text);
    if (key === undefined) {
      key = keyBytes.length;
      byText.set(text, key);
      keyBytes.push(Buffer.from(text, 'utf8'));
    }
    keyOf.set(id, key);
  }
  const hash = createHash('sha256');
  const out = Buffer.allocUnsafe(1 << 16);
  let pos = 0;
  let first = true;
  let runKey = -1;
  let runLength = 0;
  const flushRun = (): void => {
    if (runLength === 0) return;
    const prefix = keyBytes[runKey];
    // ",", the prefix, at most 16 digits and "]".
    if (pos + prefix.length + 18 > out.length) {
      hash.update(out.subarray(0, pos));
      pos = 0;
    }
    if (!first) out[pos++] = 0x2c; // ,
    first = false;
    if (prefix.length + 18 > out.length) {
      hash.update(out.subarray(0, pos));
      hash.update(prefix);
      pos = 0;
    } else if (prefix.length <= 64) {
      for (let i = 0; i < prefix.length; i++) out[pos++] = prefix[i];
    } else {
      pos += prefix.copy(out, pos);
    }
    // The run length's decimal digits (a safe integer: at most 16).
    let digits = 1;
    for (let v = runLength; v >= 10; v = Math.floor(v / 10)) digits++;
    for (let i = digits - 1, v = runLength; i >= 0; i--, v = Math.floor(v / 10)) {
      out[pos + i] = 0x30 + (v % 10);
    }
    pos += digits;
    out[pos++] = 0x5d; // ]
  };
  hash.update('[');
  for (const runs of batches) {
    if (typeof runs === 'string') throw new RangeError(runs);
    for (let r = 0; r < runs.length; r += 2) {
      const key = keyOf.get(runs[r]);
      if (key === undefined) {
        throw new RangeError(`an observation refers to origin ${runs[r]}, which does not exist`);
      }
      if (key === runKey) runLength += runs[r + 1];
      else {
        flushRun();
        runKey = key;
        runLength = runs[r + 1];
      }
    }
  }
  flushRun();
  hash.update(out.subarray(0, pos));
  hash.update(']');
  return hash.digest();
}

/** Stores the session's origins digest; called after every change to its observations. */
export function sealOrigins(store: Store, sessionId: number): void {
  store.run('UPDATE sessions SET origins_digest = ? WHERE id = ?', [
    computeOriginsDigest(store, sessionId),
    sessionId,
  ]);
  store.markChanged();
}
