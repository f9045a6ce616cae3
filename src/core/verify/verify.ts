/**
 * `origin verify`: re-derives everything the store claims from the data it holds, like `git fsck`.
 *
 * Nothing stored is trusted: every batch root is recomputed from its fingerprints column, every
 * session root and frontier from all of its observations in order, every origins digest, count
 * and byte total from the columns and the sample sizes, and every reference is followed. Each
 * failure says what broke, where (session, batch, position) and what was expected vs found.
 *
 * The checks are a list (VERIFY_CHECKS) run in order against one VerifyContext, which loads the
 * batches once and re-derives every batch root (node:crypto) when a check first asks for them.
 */
import {
  CompactRange,
  EMPTY_ROOT,
  HASH_BYTES,
  decompose,
  fromHex,
  leafHashesOf,
  rootsOfRuns,
  toHex,
} from '../merkle';
import { verifyEvents } from '../lineage';
import { decodeOriginRuns, decodeSizes, originNames } from '../store/observations';
import { streamOriginsDigest } from '../sessions/origins-digest';
import { getSession } from '../sessions/session';
import { FingerprintIndex } from '../samples/fingerprint-index';
import { Store } from '../store/store';
import { StoreError, UsageError } from '../errors';

export type CheckName =
  | 'sqlite_integrity'
  | 'references'
  | 'batch_layout'
  | 'totals'
  | 'origins_digest'
  | 'batch_roots'
  | 'session_roots'
  | 'pinned_root'
  | 'lineage';

export interface VerifyFailure {
  check: CheckName;
  /** What broke, in words. */
  message: string;
  session_id?: string;
  batch_seq?: number;
  /** Position of the observation in its session (0-based). */
  position?: number;
  /** A lineage event's hash. */
  event?: string;
  /** The value re-derived from the data (or pinned from outside). */
  expected?: string;
  /** The value stored. */
  found?: string;
}

export interface CheckResult {
  name: CheckName;
  description: string;
  ok: boolean;
  failures: number;
}

export interface VerifyReport {
  ok: boolean;
  database: string;
  /** The session verified, or null for the whole store. */
  session_id: string | null;
  sessions: number;
  batches: number;
  observations: number;
  samples: number;
  checks: CheckResult[];
  /** Every failure, up to FAILURES_LISTED per check. */
  failures: VerifyFailure[];
  failure_count: number;
  /** Things worth knowing that are not failures. */
  notes: string[];
}

export interface VerifyOptions {
  /** Verify this session only (id or unique prefix); store-wide checks still run. */
  session?: string;
  /** Hex root known from outside: the session root must equal it (needs `session`). */
  root?: string;
}

/** Failures listed per check; the rest are counted. */
export const FAILURES_LISTED = 100;

interface SessionRec {
  id: number;
  uid: string;
  record_count: number;
  byte_count: number;
  frontier: Uint8Array;
  root: Uint8Array;
  origins_digest: Uint8Array;
  batches: BatchRec[];
}

interface BatchRec {
  id: number;
  session_id: number;
  seq: number;
  first_position: number;
  record_count: number;
  byte_count: number;
  root: Uint8Array;
  fingerprintsLength: number;
  origins: Uint8Array;
  /** Content bytes per observation (schema 2); null in batches recorded before. */
  sizes: Uint8Array | null;
  /** Byte offset of this batch's fingerprints in the shared leaves buffer. */
  offset: number;
  /** Whole fingerprints in the column (what the trees are built from). */
  leaves: number;
  /** Session position of the first leaf, counted from the columns themselves. */
  start: number;
  /** Index of this batch's tree job. */
  job: number;
}

/** Per observation results of the one pass over every observation, shared by several checks. */
interface ObservationPass {
  /** Per batch (by job index): sum of the sample sizes of its observations. */
  batchBytes: Float64Array;
  /** Per batch: its origin runs (decodeOriginRuns), or the reason they cannot be decoded. */
  origins: (Float64Array | string)[];
  /** Per session id: origin id → derived records and bytes. */
  perOrigin: Map<number, Map<number, { records: number; bytes: number }>>;
  /** Per batch: how its sizes column disagrees with its samples' sizes, if it does. */
  sizeColumns: (SizeColumnMismatch | undefined)[];
}

interface SizeColumnMismatch {
  message: string;
  position?: number;
  expected?: string;
  found?: string;
}

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

/** Samples by fingerprint (the fingerprint table ingest uses too), with their sizes and a seen mark. */
export class SampleIndex {
  private readonly index: FingerprintIndex;
  private readonly sizes: Float64Array;
  private readonly seen: Uint8Array;

  /** An index for up to `capacity` samples. */
  constructor(private readonly capacity: number) {
    this.index = new FingerprintIndex(capacity);
    this.sizes = new Float64Array(capacity);
    this.seen = new Uint8Array(capacity);
  }

  get count(): number {
    return this.index.size;
  }

  /** Loads every sample; malformed rows are reported and left out. */
  static load(store: Store, malformed: (fingerprint: string, why: string) => void): SampleIndex {
    const index = new SampleIndex(Number(store.scalar('SELECT count(*) FROM samples')));
    const stmt = store.db.prepare('SELECT fingerprint, size FROM samples');
    try {
      while (stmt.step()) {
        const [fp, size] = stmt.get() as [unknown, unknown];
        const why = index.add(fp, size);
        if (why !== undefined) {
          malformed(fp instanceof Uint8Array ? toHex(fp) : String(fp), why);
        }
      }
    } finally {
      stmt.free();
    }
    return index;
  }

  /** Adds a sample row; returns why it is malformed (and was left out), if it is. */
  add(fp: unknown, size: unknown): string | undefined {
    if (!(fp instanceof Uint8Array) || fp.length !== HASH_BYTES) {
      return 'its fingerprint is not 32 bytes';
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      return `its size ${String(size)} is not a byte count`;
    }
    if (this.count >= this.capacity) return 'more rows than counted';
    const number = this.index.insert(fp, 0);
    if (number < 0) return 'its fingerprint is listed twice';
    this.sizes[number] = size;
    return undefined;
  }

  /**
   * Looks up n fingerprints at byte offset `offset` of `leaves`: out[i] is the size of the i-th,
   * or -1 when it is not a sample. Marks the samples found as seen; returns how many were not found.
   */
  sizesOf(leaves: Uint8Array, offset: number, n: number, out: Float64Array): number {
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const number = this.index.indexOf(leaves, offset + HASH_BYTES * i);
      if (number < 0) {
        out[i] = -1;
        missing++;
      } else {
        this.seen[number] = 1;
        out[i] = this.sizes[number];
      }
    }
    return missing;
  }

  /** Samples never found. */
  unseen(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.seen[i] === 0) n++;
    return n;
  }
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
    const scopeId =
      options.session !== undefined ? getSession(store, options.session).id : undefined;
    const where = scopeId !== undefined ? `WHERE id = ${scopeId}` : '';
    const sessions = store.all<SessionRec>(
      `SELECT id, uid, record_count, byte_count, frontier, root, origins_digest FROM sessions ${where} ORDER BY id`,
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

  fail(failure: Omit<VerifyFailure, 'check'>): void {
    const n = (this.counts.get(this.current) ?? 0) + 1;
    this.counts.set(this.current, n);
    if (n <= FAILURES_LISTED) this.failures.push({ check: this.current, ...failure });
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
      this.fail({ message: `sample ${fp} is malformed: ${why}` }),
    );
    return this.samples;
  }

  /**
   * One pass over every observation: its sample (existence, size) and its origin. Failures of
   * the pass (missing samples) go to the check that runs it first (references).
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
            this.fail({
              message: 'observation names a sample that is not in the samples table',
              session_id: s.uid,
              batch_seq: b.seq,
              position: b.start + i,
              found: toHex(this.leaves.subarray(b.offset + 32 * i, b.offset + 32 * i + 32)),
            });
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

export interface VerifyCheck {
  name: CheckName;
  description: string;
  /** Whether the check applies (e.g. pinned_root only with --root). */
  applies?: (ctx: VerifyContext) => boolean;
  run: (ctx: VerifyContext) => void | Promise<void>;
}

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes instanceof Uint8Array ? toHex(bytes) : String(bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array | null | undefined): boolean {
  return b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
}

const sqliteIntegrity: VerifyCheck = {
  name: 'sqlite_integrity',
  description: 'SQLite PRAGMA integrity_check: pages, b-trees and indexes are sound',
  run(ctx) {
    const rows = ctx.store.all<{ integrity_check: string }>('PRAGMA integrity_check');
    for (const r of rows) {
      if (r.integrity_check !== 'ok') ctx.fail({ message: `SQLite: ${r.integrity_check}` });
    }
  },
};

/** Rows whose reference points nowhere: [query, message for one row]. */
const DANGLING: readonly [string, (r: Record<string, number>) => string][] = [
  [
    `SELECT o.id, o.source_id FROM origins o LEFT JOIN sources s ON s.id = o.source_id WHERE s.id IS NULL`,
    (r) => `origin ${r.id} refers to source ${r.source_id}, which does not exist`,
  ],
  [
    `SELECT o.id, o.license_id FROM origins o LEFT JOIN licenses l ON l.id = o.license_id WHERE l.id IS NULL`,
    (r) => `origin ${r.id} refers to license ${r.license_id}, which does not exist`,
  ],
  [
    `SELECT b.id, b.seq, b.session_id FROM batches b LEFT JOIN sessions s ON s.id = b.session_id WHERE s.id IS NULL`,
    (r) =>
      `batch ${r.seq} (row ${r.id}) belongs to session row ${r.session_id}, which does not exist`,
  ],
  [
    `SELECT so.session_id, so.origin_id FROM session_origins so LEFT JOIN sessions s ON s.id = so.session_id WHERE s.id IS NULL`,
    (r) =>
      `session_origins row for origin ${r.origin_id} belongs to session row ${r.session_id}, which does not exist`,
  ],
  [
    `SELECT so.session_id, so.origin_id FROM session_origins so LEFT JOIN origins o ON o.id = so.origin_id WHERE o.id IS NULL`,
    (r) =>
      `session_origins of session row ${r.session_id} refers to origin ${r.origin_id}, which does not exist`,
  ],
  [
    `SELECT e.id, e.session_id FROM events e LEFT JOIN sessions s ON s.id = e.session_id WHERE e.session_id IS NOT NULL AND s.id IS NULL`,
    (r) => `event ${r.id} names session row ${r.session_id}, which does not exist`,
  ],
  [
    `SELECT p.child_id, p.parent_id FROM event_parents p LEFT JOIN events e ON e.id = p.child_id WHERE e.id IS NULL`,
    (r) =>
      `event_parents row (${r.child_id} → ${r.parent_id}) names child event ${r.child_id}, which does not exist`,
  ],
  [
    `SELECT p.child_id, p.parent_id FROM event_parents p LEFT JOIN events e ON e.id = p.parent_id WHERE e.id IS NULL`,
    (r) => `event ${r.child_id} names parent event ${r.parent_id}, which does not exist`,
  ],
];

const references: VerifyCheck = {
  name: 'references',
  description:
    'every observation has its sample and origin; origins, batches, totals and events point at rows that exist',
  run(ctx) {
    for (const [sql, message] of DANGLING) {
      for (const r of ctx.store.all<Record<string, number>>(sql)) ctx.fail({ message: message(r) });
    }
    // Observations → samples (and sample rows that are well-formed).
    const pass = ctx.observationPass();
    // Observations → origins.
    const originIds = new Set(
      ctx.store.all<{ id: number }>('SELECT id FROM origins').map((r) => r.id),
    );
    for (const b of ctx.batches) {
      const decoded = pass.origins[b.job];
      if (typeof decoded === 'string') continue; // reported by batch_layout
      const uid = ctx.sessionOf(b)?.uid;
      const reported = new Set<number>();
      for (let r = 0, i = 0; r < decoded.length; i += decoded[r + 1], r += 2) {
        const id = decoded[r];
        if (originIds.has(id) || reported.has(id)) continue;
        reported.add(id);
        ctx.fail({
          message: `observation refers to origin ${id}, which does not exist`,
          session_id: uid,
          batch_seq: b.seq,
          position: b.start + i,
        });
      }
    }
    if (!ctx.scope) {
      const orphans = ctx.sampleIndex().unseen();
      if (orphans > 0) {
        ctx.notes.push(
          `${orphans} sample(s) are recorded but never observed in any batch (harmless, but not written by ingest)`,
        );
      }
    }
  },
};

const batchLayout: VerifyCheck = {
  name: 'batch_layout',
  description:
    'batches are numbered 0, 1, 2…, each starts where the previous ended, and its columns hold record_count observations',
  run(ctx) {
    const pass = ctx.observationPass();
    for (const s of ctx.sessions) {
      let position = 0;
      s.batches.forEach((b, i) => {
        const where = { session_id: s.uid, batch_seq: b.seq };
        if (b.seq !== i) {
          ctx.fail({
            ...where,
            message: `batch numbering has a gap or repeat: the batch at index ${i} is numbered ${b.seq}`,
            expected: String(i),
            found: String(b.seq),
          });
        }
        if (b.first_position !== position) {
          ctx.fail({
            ...where,
            message: 'batch does not start where the previous batch ended (first_position)',
            position,
            expected: String(position),
            found: String(b.first_position),
          });
        }
        if (b.fingerprintsLength !== b.record_count * HASH_BYTES) {
          ctx.fail({
            ...where,
            message: `fingerprints column holds ${b.fingerprintsLength} bytes, record_count ${b.record_count} needs ${b.record_count * HASH_BYTES}`,
            expected: String(b.record_count * HASH_BYTES),
            found: String(b.fingerprintsLength),
          });
        }
        const decoded = pass.origins[b.job];
        if (typeof decoded === 'string') {
          ctx.fail({ ...where, message: `origins column does not match record_count: ${decoded}` });
        }
        position += b.leaves;
      });
    }
  },
};

const totals: VerifyCheck = {
  name: 'totals',
  description:
    'record and byte counts of batches, sessions and session_origins, and every batch’s sizes column, equal those re-derived from the observations',
  run(ctx) {
    const pass = ctx.observationPass();
    const originNames = new Map(
      ctx.store
        .all<{ id: number; source: string | null; license: string | null }>(
          `SELECT o.id, s.name AS source, l.expression AS license
             FROM origins o LEFT JOIN sources s ON s.id = o.source_id LEFT JOIN licenses l ON l.id = o.license_id`,
        )
        .map((r) => [r.id, `${r.source ?? '?'} / ${r.license ?? '?'}`]),
    );
    for (const s of ctx.sessions) {
      let bytes = 0;
      for (const b of s.batches) {
        const derived = pass.batchBytes[b.job];
        bytes += derived;
        const mismatch = pass.sizeColumns[b.job];
        if (mismatch) ctx.fail({ session_id: s.uid, batch_seq: b.seq, ...mismatch });
        if (derived !== b.byte_count) {
          ctx.fail({
            session_id: s.uid,
            batch_seq: b.seq,
            message: 'batch byte_count differs from the sum of its samples’ sizes',
            expected: String(derived),
            found: String(b.byte_count),
          });
        }
      }
      if (bytes !== s.byte_count) {
        ctx.fail({
          session_id: s.uid,
          message: 'session byte_count differs from the sum of its observations’ sample sizes',
          expected: String(bytes),
          found: String(s.byte_count),
        });
      }
      const derived = pass.perOrigin.get(s.id) ?? new Map();
      const stored = new Map(
        ctx.store
          .all<{
            origin_id: number;
            records: number;
            bytes: number;
          }>('SELECT origin_id, records, bytes FROM session_origins WHERE session_id = ?', [s.id])
          .map((r) => [r.origin_id, r]),
      );
      const ids = [...new Set([...derived.keys(), ...stored.keys()])].sort((a, b) => a - b);
      for (const id of ids) {
        const d = derived.get(id) ?? { records: 0, bytes: 0 };
        const st = stored.get(id) ?? { records: 0, bytes: 0 };
        const name = originNames.get(id) ?? `origin ${id}`;
        if (d.records !== st.records || d.bytes !== st.bytes) {
          ctx.fail({
            session_id: s.uid,
            message: `session_origins totals for ${name} differ from the observations`,
            expected: `${d.records} records, ${d.bytes} bytes`,
            found: stored.has(id) ? `${st.records} records, ${st.bytes} bytes` : 'no row',
          });
        }
      }
    }
  },
};

const originsDigest: VerifyCheck = {
  name: 'origins_digest',
  description:
    'each session’s origins digest equals the digest of every observation’s source and license, in order',
  run(ctx) {
    const pass = ctx.observationPass();
    const names = originNames(ctx.store);
    for (const s of ctx.sessions) {
      let digest: Buffer;
      try {
        digest = streamOriginsDigest(
          names,
          s.batches.map((b) => pass.origins[b.job]),
        );
      } catch (err) {
        ctx.fail({
          session_id: s.uid,
          message: `origins digest cannot be re-derived: ${(err as Error).message}`,
        });
        continue;
      }
      if (!sameBytes(digest, s.origins_digest)) {
        ctx.fail({
          session_id: s.uid,
          message:
            'origins digest differs: a source name, license or observation origin was changed',
          expected: toHex(digest),
          found: hex(s.origins_digest),
        });
      }
    }
  },
};

const batchRoots: VerifyCheck = {
  name: 'batch_roots',
  description: 'each batch root is the RFC 6962 Merkle root of its fingerprints column',
  async run(ctx) {
    const roots = ctx.roots();
    for (const b of ctx.batches) {
      const derived = roots.subarray(32 * b.job, 32 * b.job + 32);
      if (!sameBytes(derived, b.root)) {
        ctx.fail({
          session_id: ctx.sessionOf(b)?.uid,
          batch_seq: b.seq,
          message: 'batch root does not match its fingerprints',
          expected: toHex(derived),
          found: hex(b.root),
        });
      }
    }
  },
};

const sessionRoots: VerifyCheck = {
  name: 'session_roots',
  description:
    'each session’s record_count, frontier and root equal those of all its observations, in order',
  async run(ctx) {
    const roots = ctx.roots();
    for (const s of ctx.sessions) {
      const range = new CompactRange();
      for (const b of s.batches) {
        if (b.leaves === 0) continue;
        const root = Buffer.from(roots.subarray(32 * b.job, 32 * b.job + 32));
        const fingerprints = ctx.leaves.subarray(b.offset, b.offset + b.leaves * HASH_BYTES);
        // An aligned power-of-two batch is one subtree of the session tree: its root is appended
        // as it is; any other batch is hashed again as the subtrees that cover it.
        const pieces = decompose(range.size, range.size + b.leaves);
        if (pieces.length === 1) range.appendSubtree(root, pieces[0].height);
        else range.appendLeafHashes(leafHashesOf(fingerprints, b.leaves), b.leaves);
      }
      if (range.size !== s.record_count) {
        ctx.fail({
          session_id: s.uid,
          message: 'session record_count differs from the observations in its batches',
          expected: String(range.size),
          found: String(s.record_count),
        });
      }
      const root = range.size === 0 ? EMPTY_ROOT : range.root();
      if (!sameBytes(root, s.root)) {
        ctx.fail({
          session_id: s.uid,
          message: 'session root does not match its observations',
          expected: toHex(root),
          found: hex(s.root),
        });
      }
      if (!sameBytes(range.serialize(), s.frontier)) {
        ctx.fail({
          session_id: s.uid,
          message:
            'session frontier (compact range) does not match its observations; the next append would go wrong',
          expected: toHex(range.serialize()),
          found: hex(s.frontier),
        });
      }
    }
  },
};

const pinnedRoot: VerifyCheck = {
  name: 'pinned_root',
  description: 'the session root equals the root given with --root',
  applies: (ctx) => ctx.options.root !== undefined,
  run(ctx) {
    const s = ctx.scope;
    if (!s || ctx.options.root === undefined) return;
    let pinned: Buffer;
    try {
      pinned = fromHex(ctx.options.root.trim(), '--root');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!sameBytes(pinned, s.root)) {
      ctx.fail({
        session_id: s.uid,
        message: 'session root differs from the root given with --root',
        expected: toHex(pinned),
        found: hex(s.root),
      });
    }
  },
};

/**
 * The lineage hook: lifecycle events (SPEC.md §3) are verified by lineage.ts, which re-derives
 * every event hash from its JCS form, checks the parent links and that a dataset event's checksum
 * is still its session's root. Events are store-wide, so this runs with --session too.
 */
const lineage: VerifyCheck = {
  name: 'lineage',
  description:
    'every lifecycle event hashes to its stored hash, its parents precede it, a dataset still names its session root',
  run(ctx) {
    for (const f of verifyEvents(ctx.store)) {
      ctx.fail({
        event: f.event,
        message: `${f.type ?? 'event'} event ${f.event}: ${f.message}`,
      });
    }
  },
};

/**
 * Every check, in the order they run (and are reported). The hashing checks come late: their
 * hashes are computed on worker threads while the checks before them run. A new kind of stored
 * data gets its check here (as lineage did).
 */
export const VERIFY_CHECKS: readonly VerifyCheck[] = [
  sqliteIntegrity,
  references,
  batchLayout,
  totals,
  originsDigest,
  batchRoots,
  sessionRoots,
  pinnedRoot,
  lineage,
];

/** Runs every check; the report says what failed (exit 3 is the caller's to set). */
export async function verifyStore(
  store: Store,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  if (options.root !== undefined) {
    try {
      fromHex(options.root.trim(), '--root');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const ctx = VerifyContext.load(store, options);
  const results: CheckResult[] = [];
  for (const check of VERIFY_CHECKS) {
    if (check.applies && !check.applies(ctx)) continue;
    ctx.begin(check.name);
    await check.run(ctx);
    const failures = ctx.failuresOf(check.name);
    results.push({
      name: check.name,
      description: check.description,
      ok: failures === 0,
      failures,
    });
  }
  return ctx.report(results);
}
