/** What every verify check works from: the sessions and batches in scope, loaded once, the sample
 * table, one pass over every observation, and the re-derived batch roots. */
import { HASH_BYTES, rootsOfRuns, toHex } from '../merkle';
import { decodeOriginRuns, decodeSizes } from '../store/observations';
import { getSession } from '../sessions/session';
import { Store } from '../store/store';
import { StoreError, UsageError } from '../errors';
import {
  BatchRec,
  CheckName,
  CheckResult,
  FAILURES_LISTED,
  ObservationPass,
  SessionRec,
  SizeColumnMismatch,
  VerifyFailure,
  VerifyOptions,
  VerifyReport,
} from './types';
import { SampleIndex } from './sample-index';

/** Compares a batch's sizes column with the sizes of its observations' samples. */
function checkSizeColumn(b: BatchRec, sampleSizes: Float64Array): SizeColumnMismatch | undefined {
  if (b.sizes === null) return undefined;
  let column: Float64Array;
  try {
    column = decodeSizes(b.sizes, b.record_count);
  } catch (err) {
    return { message: `sizes column is malformed: ${(err as Error).message}` };
  }
  for (let i = 0; i < b.leaves; i++) {
    if (column[i] !== sampleSizes[i]) {
      return {
        message: 'sizes column differs from the size of the observation’s sample',
        position: b.start + i,
        expected: String(sampleSizes[i]),
        found: String(column[i]),
      };
    }
  }
  return undefined;
}

/** What the checks share: the loaded rows, the leaves, the hashes in flight, the failures. */
export class VerifyContext {
  readonly failures: VerifyFailure[] = [];
  readonly notes: string[] = [];
  private readonly counts = new Map<CheckName, number>();
  private samples?: SampleIndex;
  private pass?: ObservationPass;
  private batchRoots?: Buffer;
  private readonly sessionById: Map<number, SessionRec>;

  private constructor(
    readonly store: Store,
    readonly options: VerifyOptions,
    /** The session asked for, or undefined for all. */
    readonly scope: SessionRec | undefined,
    readonly sessions: SessionRec[],
    /** Every batch in scope, by job index. */
    readonly batches: BatchRec[],
    readonly leaves: Uint8Array,
  ) {
    this.sessionById = new Map(sessions.map((s) => [s.id, s]));
  }

  /** Reads the sessions and batches in scope and starts hashing their leaves. */
  static load(store: Store, options: VerifyOptions): VerifyContext {
    if (options.root !== undefined && options.session === undefined) {
      throw new UsageError('--root needs --session: a root belongs to one session');
    }
    if (options.head !== undefined && options.session === undefined) {
      throw new UsageError('--head needs --session: a head belongs to one session');
    }
    const scopeId =
      options.session !== undefined ? getSession(store, options.session).id : undefined;
    const where = scopeId !== undefined ? `WHERE id = ${scopeId}` : '';
    const sessions = store.all<SessionRec>(
      `SELECT id, uid, status, started_at, ended_at, config_hash, metadata, record_count, byte_count,
              skipped_count, frontier, root, origins_frontier, origins_root, head
         FROM sessions ${where} ORDER BY id`,
    );
    const byId = new Map<number, SessionRec>();
    for (const s of sessions) {
      s.batches = [];
      byId.set(s.id, s);
    }
    // The leaves' total first (lengths come from the record headers, no blob is read), so every
    // column can be copied straight into one shared buffer in a single pass over the batches.
    const from = `FROM batches b JOIN sessions s ON s.id = b.session_id ${
      scopeId !== undefined ? `WHERE b.session_id = ${scopeId}` : ''
    }`;
    const total = Number(
      store.scalar(`SELECT coalesce(sum(length(b.fingerprints) / 32), 0) ${from}`),
    );
    const leaves = Buffer.allocUnsafe(total * HASH_BYTES);
    const batches: BatchRec[] = [];
    const stmt = store.db.prepare(
      `SELECT b.id, b.session_id, b.seq, b.first_position, b.record_count, b.byte_count, b.root,
              b.fingerprints, b.origins, b.sizes ${from} ORDER BY b.session_id, b.seq`,
    );
    try {
      let offset = 0;
      while (stmt.step()) {
        const r = stmt.getAsObject() as unknown as Omit<
          BatchRec,
          'fingerprintsLength' | 'offset' | 'leaves' | 'start' | 'job'
        > & { fingerprints: Uint8Array };
        const count = Math.floor(r.fingerprints.length / HASH_BYTES);
        if (offset + count * HASH_BYTES > leaves.length) {
          throw new StoreError(`${store.path} changed while it was being verified`);
        }
        leaves.set(r.fingerprints.subarray(0, count * HASH_BYTES), offset);
        batches.push({
          id: r.id,
          session_id: r.session_id,
          seq: r.seq,
          first_position: r.first_position,
          record_count: r.record_count,
          byte_count: r.byte_count,
          root: r.root,
          fingerprintsLength: r.fingerprints.length,
          origins: r.origins,
          sizes: r.sizes,
          offset,
          leaves: count,
          start: 0,
          job: batches.length,
        });
        offset += count * HASH_BYTES;
      }
    } finally {
      stmt.free();
    }
    for (const b of batches) byId.get(b.session_id)?.batches.push(b);
    for (const s of sessions) {
      let pos = 0;
      for (const b of s.batches) {
        b.start = pos;
        pos += b.leaves;
      }
    }
    const scope = scopeId !== undefined ? byId.get(scopeId) : undefined;
    return new VerifyContext(store, options, scope, sessions, batches, leaves);
  }

  private current: CheckName = 'sqlite_integrity';

  begin(name: CheckName): void {
    this.current = name;
    this.counts.set(name, 0);
  }

  failuresOf(name: CheckName): number {
    return this.counts.get(name) ?? 0;
  }

  /** Records a failure of `check` (by default the check that is running). */
  fail(failure: Omit<VerifyFailure, 'check'>, check: CheckName = this.current): void {
    const n = (this.counts.get(check) ?? 0) + 1;
    this.counts.set(check, n);
    if (n <= FAILURES_LISTED) this.failures.push({ check, ...failure });
  }

  get observationCount(): number {
    return this.leaves.length / HASH_BYTES;
  }

  sessionOf(b: BatchRec): SessionRec | undefined {
    return this.sessionById.get(b.session_id);
  }

  /** The sample table, loaded once. */
  sampleIndex(): SampleIndex {
    this.samples ??= SampleIndex.load(this.store, (fp, why) =>
      this.fail({ message: `sample ${fp} is malformed: ${why}` }, 'references'),
    );
    return this.samples;
  }

  /**
   * One pass over every observation: its sample (existence, size) and its origin. Its own
   * failures (malformed or missing samples) are the references check's, whichever check runs it.
   */
  observationPass(): ObservationPass {
    if (this.pass) return this.pass;
    const index = this.sampleIndex();
    const batchBytes = new Float64Array(this.batches.length);
    const origins: (Float64Array | string)[] = [];
    const sizeColumns: (SizeColumnMismatch | undefined)[] = [];
    const perOrigin = new Map<number, Map<number, { records: number; bytes: number }>>();
    // Origin ids are small integer keys: count into arrays, with a map for any id beyond them.
    const maxId = Math.min(
      1 << 20,
      Number(this.store.scalar('SELECT coalesce(max(id), 0) FROM origins')),
    );
    const records = new Float64Array(maxId + 1);
    const bytesOf = new Float64Array(maxId + 1);
    const touched: number[] = [];
    let sizes = new Float64Array(0);
    for (const s of this.sessions) {
      const beyond = new Map<number, { records: number; bytes: number }>();
      for (const b of s.batches) {
        let decoded: Float64Array | string;
        try {
          decoded = decodeOriginRuns(b.origins, b.record_count);
        } catch (err) {
          decoded = (err as Error).message;
        }
        origins[b.job] = decoded;
        if (sizes.length < b.leaves) sizes = new Float64Array(b.leaves);
        const missing = index.sizesOf(this.leaves, b.offset, b.leaves, sizes);
        if (missing > 0) {
          for (let i = 0; i < b.leaves; i++) {
            if (sizes[i] !== -1) continue;
            sizes[i] = 0;
            this.fail(
              {
                message: 'observation names a sample that is not in the samples table',
                session_id: s.uid,
                batch_seq: b.seq,
                position: b.start + i,
                found: toHex(this.leaves.subarray(b.offset + 32 * i, b.offset + 32 * i + 32)),
              },
              'references',
            );
          }
        }
        let bytes = 0;
        for (let i = 0; i < b.leaves; i++) bytes += sizes[i];
        batchBytes[b.job] = bytes;
        sizeColumns[b.job] = checkSizeColumn(b, sizes);
        if (typeof decoded === 'string') continue;
        // Runs of one origin: [id, length, id, length, …] covering record_count observations.
        // Only observations the fingerprints column holds count (a shorter column is reported
        // by batch_layout).
        let i = 0;
        for (let r = 0; r < decoded.length && i < b.leaves; r += 2) {
          const id = decoded[r];
          const start = i;
          const end = Math.min(start + decoded[r + 1], b.leaves);
          let runBytes = 0;
          for (; i < end; i++) runBytes += sizes[i];
          if (id <= maxId) {
            if (records[id] === 0) touched.push(id);
            records[id] += end - start;
            bytesOf[id] += runBytes;
          } else {
            const t = beyond.get(id) ?? { records: 0, bytes: 0 };
            t.records += end - start;
            t.bytes += runBytes;
            beyond.set(id, t);
          }
        }
      }
      for (const id of touched) {
        beyond.set(id, { records: records[id], bytes: bytesOf[id] });
        records[id] = 0;
        bytesOf[id] = 0;
      }
      touched.length = 0;
      perOrigin.set(s.id, beyond);
    }
    this.pass = { batchBytes, origins, perOrigin, sizeColumns };
    return this.pass;
  }

  /** The MTH of every batch in scope, re-derived from its fingerprints: 32 bytes by job index. */
  roots(): Buffer {
    this.batchRoots ??= rootsOfRuns(
      this.leaves,
      this.batches.map((b) => ({ offset: b.offset, count: b.leaves })),
    );
    return this.batchRoots;
  }

  report(results: CheckResult[]): VerifyReport {
    const failureCount = results.reduce((sum, r) => sum + r.failures, 0);
    return {
      ok: failureCount === 0,
      database: this.store.path,
      session_id: this.scope?.uid ?? null,
      sessions: this.sessions.length,
      batches: this.batches.length,
      observations: this.observationCount,
      samples: this.samples?.count ?? Number(this.store.scalar('SELECT count(*) FROM samples')),
      checks: results,
      failures: this.failures,
      failure_count: failureCount,
      notes: this.notes,
    };
  }
}
