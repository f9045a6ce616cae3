/**
 * The session root commits to what was seen (fingerprints); the origins digest commits to where it
 * came from and under which license: SHA-256 of the JCS array, in session order, of every batch's
 * runs of observations as [source, license, run length]. Recomputed from the stored batches by
 * `origin verify`, so an edited source name, license text or origins column does not go unnoticed.
 */
import { createHash } from 'node:crypto';
import { sha256 } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import { decodeOriginRuns, originNames } from '../store/observations';
import { Store } from '../store/store';

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
  const digest = new OriginsDigest((id) => names.get(id));
  addStoredRuns(digest, store, sessionId);
  return digest.digest();
}

/** Feeds `digest` the origin runs of every stored batch of a session, in order. */
export function addStoredRuns(digest: OriginsDigest, store: Store, sessionId: number): void {
  const statement = store.db.prepare(
    'SELECT record_count, origins FROM batches WHERE session_id = ? ORDER BY seq',
  );
  try {
    statement.bind([sessionId]);
    while (statement.step()) {
      const [count, origins] = statement.get() as [number, Uint8Array];
      const runs = decodeOriginRuns(origins, count);
      digest.addRuns(runs, runs.length);
    }
  } finally {
    statement.free();
  }
}

/**
 * The origins digest of origins-digest.ts (SHA-256 of the JCS array of [source, license, run]
 * runs in session order), computed from the decoded origin runs and written byte by byte into
 * the hash: originRuns builds every run as an array first, which takes seconds on a
 * million observations that alternate sources. Runs merge by (source, license) across batches
 * exactly as there; the JCS of such an array is what is written here (strings as
 * JSON.stringify, integers as their digits, no whitespace). The tests hold the two equal.
 */
export function streamOriginsDigest(
  names: ReadonlyMap<number, readonly [string, string]>,
  batches: readonly (Float64Array | string)[],
): Buffer {
  const digest = new OriginsDigest((id) => names.get(id));
  for (const runs of batches) {
    if (typeof runs === 'string') throw new RangeError(runs);
    digest.addRuns(runs, runs.length);
  }
  return digest.digest();
}

/**
 * streamOriginsDigest fed batch by batch, so ingest can keep it as it records: [origin id, run
 * length] pairs in session order; `nameOf` gives an origin id's [source, license].
 */
export class OriginsDigest {
  private readonly hash = createHash('sha256').update('[');
  private readonly out = Buffer.allocUnsafe(1 << 16);
  private pos = 0;
  private first = true;
  /** Each origin id's key (origin ids are small integers); ids with equal names share one. */
  private readonly keyOf: number[] = [];
  /** Each key's run prefix `[source,license,` as bytes. */
  private readonly keyBytes: Buffer[] = [];
  private readonly keyByText = new Map<string, number>();
  private runKey = -1;
  private runLength = 0;

  constructor(private nameOf: (originId: number) => readonly [string, string] | undefined) {}

  /** Origin ids not met yet are named by `nameOf` from now on (the store was read again). */
  resolveNamesWith(nameOf: (originId: number) => readonly [string, string] | undefined): void {
    this.nameOf = nameOf;
  }

  /** The digest of the runs added so far; more can be added after. */
  current(): Buffer {
    const hash = this.hash.copy().update(this.out.subarray(0, this.pos));
    if (this.runLength > 0) {
      if (!this.first) hash.update(',');
      hash.update(this.keyBytes[this.runKey]).update(`${this.runLength}]`);
    }
    return hash.update(']').digest();
  }

  /** Adds the first `length` entries of `runs`: [origin id, run length, …]. */
  addRuns(runs: ArrayLike<number>, length: number): void {
    for (let r = 0; r < length; r += 2) {
      const key = this.keyOf[runs[r]] ?? this.newKey(runs[r]);
      if (key === this.runKey) this.runLength += runs[r + 1];
      else {
        this.flushRun();
        this.runKey = key;
        this.runLength = runs[r + 1];
      }
    }
  }

  digest(): Buffer {
    this.flushRun();
    this.hash.update(this.out.subarray(0, this.pos));
    this.pos = 0;
    return this.hash.update(']').digest();
  }

  private newKey(originId: number): number {
    const name = this.nameOf(originId);
    if (name === undefined) {
      throw new RangeError(`an observation refers to origin ${originId}, which does not exist`);
    }
    const text = `[${JSON.stringify(name[0])},${JSON.stringify(name[1])},`;
    let key = this.keyByText.get(text);
    if (key === undefined) {
      key = this.keyBytes.length;
      this.keyByText.set(text, key);
      this.keyBytes.push(Buffer.from(text, 'utf8'));
    }
    this.keyOf[originId] = key;
    return key;
  }

  private flushRun(): void {
    if (this.runLength === 0) return;
    const { out, hash } = this;
    const prefix = this.keyBytes[this.runKey];
    let pos = this.pos;
    // ",", the prefix, at most 16 digits and "]".
    if (pos + prefix.length + 18 > out.length) {
      hash.update(out.subarray(0, pos));
      pos = 0;
    }
    if (!this.first) out[pos++] = 0x2c; // ,
    this.first = false;
    if (prefix.length + 18 > out.length) {
      hash.update(out.subarray(0, pos));
      hash.update(prefix);
      pos = 0;
    } else {
      out.set(prefix, pos);
      pos += prefix.length;
    }
    // The run length's decimal digits (a safe integer: at most 16).
    const runLength = this.runLength;
    let digits = 1;
    for (let v = runLength; v >= 10; v = Math.floor(v / 10)) digits++;
    for (let i = digits - 1, v = runLength; i >= 0; i--, v = Math.floor(v / 10)) {
      out[pos + i] = 0x30 + (v % 10);
    }
    pos += digits;
    out[pos++] = 0x5d; // ]
    this.pos = pos;
    this.runLength = 0;
  }
}
