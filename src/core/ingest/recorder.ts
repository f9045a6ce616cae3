/**
 * The write side of ingest. Observations are kept in memory as they arrive (fingerprints, leaf
 * hashes, sizes, origins) and written at each commit: cut into batches with RFC 6962 roots from
 * the session's size at that moment, appended to its compact range, its distinct samples
 * inserted, the session's root, frontier, origins root and totals brought up to date. A commit
 * reads the session afresh, so other writers' commits in between are taken as they are.
 */
import { randomBytes } from 'node:crypto';
import { HASH_BYTES, asBuffer, rootOfLeafHashes } from '../merkle';
import { FingerprintIndex } from '../samples/fingerprint-index';
import { OriginRuns, encodeSizes, originNames } from '../store/observations';
import { OriginsTree } from '../sessions/origins-root';
import { refreshHead } from '../sessions/head';
import { sealSession } from '../store-log';
import { SAMPLE_ROWS, SampleInserter } from './samples';
import {
  SessionRow,
  SessionStatus,
  assertOpen,
  createSession,
  getSession,
  originsRange,
  sessionRange,
} from '../sessions/session';
import { forgetWriter, noteWriter } from '../sessions/writers';
import { Store } from '../store/store';
import { nowUtc } from '../time';

export const UNKNOWN_LICENSE = 'unknown';

/** What this run has committed, after a commit. */
export interface RecordedTotals {
  records: number;
  bytes: number;
  distinct: number;
  duplicates: number;
  alreadyKnown: number;
  newSamples: number;
  batches: number;
  sessionSize: number;
  root: Buffer;
  /** The session head after this commit (SPEC §2.2). */
  head: Buffer;
}

/** A run's origins, numbered by the run (0, 1, …) until a commit gives them store ids. */
interface LocalOrigin {
  source: string;
  license: string;
  /** Records and content bytes of this run, and of them the ones not committed yet. */
  records: number;
  bytes: number;
  pendingRecords: number;
  pendingBytes: number;
}

export interface CommitOptions {
  /** Lines skipped since the last commit (--skip-invalid). */
  skipped: number;
  /** Ends the session with this status. */
  endStatus?: SessionStatus;
  /** The run's last commit: its writer record is removed. */
  last: boolean;
}

export class Recorder {
  private readonly seen = new FingerprintIndex();
  /** Content bytes of each distinct sample, by its number in `seen`. */
  private sampleSizes = new Float64Array(1024);
  /** Samples seen[0, insertedSamples) are in the store (inserted by an earlier commit). */
  private insertedSamples = 0;

  private readonly origins: LocalOrigin[] = [];
  private readonly originByKey = new Map<string, number>();
  /** Store origin id of each local origin, once a commit has created it. */
  private storeOriginIds: number[] = [];

  // Observations not committed yet, in order.
  private pendingFps = Buffer.allocUnsafe(1024 * HASH_BYTES);
  private pendingLeaves = Buffer.allocUnsafe(1024 * HASH_BYTES);
  private pendingSizes = new Float64Array(1024);
  private pendingOrigins = new Uint32Array(1024);
  private pending = 0;
  private pendingBytes = 0;

  readonly sessionUid: string;
  private sessionCreated: boolean;

  private records = 0;
  private committedRecords = 0;
  private committedBytes = 0;
  private duplicates = 0;
  private alreadyKnown = 0;
  private batches = 0;

  /**
   * `session`: the row of the session to append to (read before any data), if any. `metadata`:
   * entries this run adds to the session's metadata (how its observations were made).
   */
  constructor(
    private readonly batchSize: number,
    session?: SessionRow,
    private readonly metadata: Readonly<Record<string, string>> = {},
  ) {
    this.sessionUid = session?.uid ?? randomBytes(16).toString('hex');
    this.sessionCreated = session !== undefined;
  }

  /** Observations recorded in memory, committed or not. */
  get recordCount(): number {
    return this.records;
  }

  /** Observations not committed yet. */
  get pendingCount(): number {
    return this.pending;
  }

  /** Adds this run's metadata entries to a session it appends to. */
  private addMetadata(store: Store, session: SessionRow): void {
    const current = JSON.parse(session.metadata) as Record<string, string>;
    const missing = Object.entries(this.metadata).filter(([key, value]) => current[key] !== value);
    if (missing.length === 0) return;
    for (const [key, value] of missing) current[key] = value;
    store.run('UPDATE sessions SET metadata = ? WHERE id = ?', [
      JSON.stringify(current),
      session.id,
    ]);
    session.metadata = JSON.stringify(current);
  }

  /** The run's number of a (source, license) pair. */
  originId(source: string, license: string): number {
    const key = `${source}\u0000${license}`;
    let id = this.originByKey.get(key);
    if (id === undefined) {
      id = this.origins.length;
      this.origins.push({
        source,
        license,
        records: 0,
        bytes: 0,
        pendingRecords: 0,
        pendingBytes: 0,
      });
      this.originByKey.set(key, id);
    }
    return id;
  }

  /** Records and content bytes of this run, per (source, license). */
  originTotals(): { source: string; license: string; records: number; bytes: number }[] {
    return this.origins
      .filter((o) => o.records > 0)
      .map(({ source, license, records, bytes }) => ({ source, license, records, bytes }));
  }

  /** Makes room for about `records` more observations ahead of time (an estimate is fine). */
  reserve(records: number): void {
    const expected = this.seen.size + records;
    this.seen.reserve(expected);
    if (this.sampleSizes.length < expected) this.sampleSizes = grown(this.sampleSizes, expected);
  }

  /**
   * Records `count` observations in order: fingerprint i is fingerprints[32i, 32i + 32) with leaf
   * hash leaves[32i, 32i + 32), sizes[i] content bytes, from origin originIds[i] (see originId()).
   */
  observeMany(
    fingerprints: Uint8Array,
    leaves: Uint8Array,
    sizes: ArrayLike<number>,
    originIds: ArrayLike<number>,
    count: number,
  ): void {
    this.makeRoom(this.pending + count);
    const at = this.pending;
    asBuffer(fingerprints).copy(this.pendingFps, at * HASH_BYTES, 0, count * HASH_BYTES);
    asBuffer(leaves).copy(this.pendingLeaves, at * HASH_BYTES, 0, count * HASH_BYTES);
    const fps = this.pendingFps;
    for (let i = 0; i < count; i++) {
      const size = sizes[i];
      const originId = originIds[i];
      this.pendingSizes[at + i] = size;
      this.pendingOrigins[at + i] = originId;
      const number = this.seen.insert(fps, (at + i) * HASH_BYTES);
      if (number >= 0) {
        if (number >= this.sampleSizes.length) {
          this.sampleSizes = grown(this.sampleSizes, number * 2);
        }
        this.sampleSizes[number] = size;
      } else {
        this.duplicates++;
      }
      const origin = this.origins[originId];
      origin.records++;
      origin.bytes += size;
      origin.pendingRecords++;
      origin.pendingBytes += size;
      this.pendingBytes += size;
    }
    this.pending += count;
    this.records += count;
  }

  private makeRoom(records: number): void {
    if (records <= this.pendingSizes.length) return;
    let capacity = this.pendingSizes.length;
    while (capacity < records) capacity *= 2;
    const fps = Buffer.allocUnsafe(capacity * HASH_BYTES);
    this.pendingFps.copy(fps, 0, 0, this.pending * HASH_BYTES);
    this.pendingFps = fps;
    const leaves = Buffer.allocUnsafe(capacity * HASH_BYTES);
    this.pendingLeaves.copy(leaves, 0, 0, this.pending * HASH_BYTES);
    this.pendingLeaves = leaves;
    this.pendingSizes = grown(this.pendingSizes, capacity);
    this.pendingOrigins = grown(this.pendingOrigins, capacity);
  }

  /**
   * Writes every pending observation into the session, inside the caller's transaction (a
   * Store.commit). If it throws, the transaction is rolled back, and this recorder must not be
   * used again.
   */
  commit(store: Store, options: CommitOptions): RecordedTotals {
    let session: SessionRow;
    if (this.sessionCreated) {
      session = getSession(store, this.sessionUid);
      assertOpen(session);
      this.addMetadata(store, session);
    } else {
      session = createSession(store, { uid: this.sessionUid, metadata: { ...this.metadata } });
      this.sessionCreated = true;
    }
    const range = sessionRange(session);
    let storedNames: ReadonlyMap<number, readonly [string, string]> | undefined;
    // Read again when an id is missing: this commit may have created origins since.
    const nameOf = (id: number): readonly [string, string] | undefined => {
      storedNames ??= originNames(store);
      if (!storedNames.has(id)) storedNames = originNames(store);
      return storedNames.get(id);
    };
    // Both trees are extended from the stored frontiers, so other writers' commits are kept.
    const originsTree = new OriginsTree(nameOf, originsRange(session));
    const originIds = this.resolveOrigins(store);

    let seq = Number(
      store.scalar('SELECT coalesce(max(seq) + 1, 0) FROM batches WHERE session_id = ?', [
        session.id,
      ]),
    );
    const insertBatch = store.db.prepare(
      `INSERT INTO batches (session_id, seq, first_position, record_count, byte_count, root, fingerprints, origins, sizes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    try {
      const runs = new OriginRuns();
      for (let start = 0; start < this.pending; start += this.batchSize) {
        const count = Math.min(this.batchSize, this.pending - start);
        const fingerprints = this.pendingFps.subarray(
          start * HASH_BYTES,
          (start + count) * HASH_BYTES,
        );
        const leaves = this.pendingLeaves.subarray(
          start * HASH_BYTES,
          (start + count) * HASH_BYTES,
        );
        let bytes = 0;
        for (let i = start; i < start + count; i++) {
          runs.add(originIds[this.pendingOrigins[i]]);
          bytes += this.pendingSizes[i];
        }
        // The session tree takes the batch as its perfect subtrees (one, when the batch is
        // aligned): hashed from a copy, since rootOfLeafHashes overwrites its input.
        const batchRoot = rootOfLeafHashes(Buffer.from(leaves), count);
        const firstPosition = range.size;
        range.appendLeafHashes(leaves, count, batchRoot);
        const origins = runs.take();
        originsTree.addRuns(origins.runs, origins.runs.length);
        insertBatch.run([
          session.id,
          seq++,
          firstPosition,
          count,
          bytes,
          batchRoot,
          fingerprints,
          origins.encoded,
          encodeSizes(this.pendingSizes.subarray(start, start + count), count),
          nowUtc(),
        ]);
        this.batches++;
      }
    } finally {
      insertBatch.free();
    }
    this.insertSamples(store);

    const root = range.root();
    store.run(
      `UPDATE sessions SET record_count = ?, byte_count = byte_count + ?, skipped_count = skipped_count + ?,
         frontier = ?, root = ?, origins_frontier = ?, origins_root = ?, status = coalesce(?, status),
         ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END
       WHERE id = ?`,
      [
        range.size,
        this.pendingBytes,
        options.skipped,
        range.serialize(),
        root,
        originsTree.frontier(),
        originsTree.root(),
        options.endStatus ?? null,
        options.endStatus ?? null,
        nowUtc(),
        session.id,
      ],
    );
    const head = refreshHead(store, session.id);
    if (options.endStatus) sealSession(store, session.id, head);
    this.origins.forEach((origin, local) => {
      if (origin.pendingRecords === 0) return;
      store.run(
        `INSERT INTO session_origins (session_id, origin_id, records, bytes) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id, origin_id) DO UPDATE SET records = records + excluded.records, bytes = bytes + excluded.bytes`,
        [session.id, originIds[local], origin.pendingRecords, origin.pendingBytes],
      );
      origin.pendingRecords = 0;
      origin.pendingBytes = 0;
    });
    if (options.last || options.endStatus) forgetWriter(store, session.id);
    else noteWriter(store, session.id);
    store.markChanged();

    this.committedRecords += this.pending;
    this.committedBytes += this.pendingBytes;
    this.pending = 0;
    this.pendingBytes = 0;
    return {
      records: this.committedRecords,
      bytes: this.committedBytes,
      distinct: this.seen.size,
      duplicates: this.duplicates,
      alreadyKnown: this.alreadyKnown,
      newSamples: this.seen.size - this.alreadyKnown,
      batches: this.batches,
      sessionSize: range.size,
      root,
      head,
    };
  }

  /** Store origin ids of every local origin, creating the ones the store does not have. */
  private resolveOrigins(store: Store): number[] {
    for (let local = this.storeOriginIds.length; local < this.origins.length; local++) {
      const { source, license } = this.origins[local];
      const sourceId = idFor(store, 'sources', 'name', source);
      const licenseId = idFor(store, 'licenses', 'expression', license);
      store.run('INSERT OR IGNORE INTO origins (source_id, license_id) VALUES (?, ?)', [
        sourceId,
        licenseId,
      ]);
      this.storeOriginIds.push(
        Number(
          store.scalar('SELECT id FROM origins WHERE source_id = ? AND license_id = ?', [
            sourceId,
            licenseId,
          ]),
        ),
      );
    }
    return this.storeOriginIds;
  }

  /**
   * Inserts the distinct samples seen since the last commit, in fingerprint order (B-tree
   * inserts in key order cost about half of random ones); the ones the store already had count
   * as known.
   */
  private insertSamples(store: Store): void {
    const from = this.insertedSamples;
    const rowsTotal = this.seen.size - from;
    const { keys, values: sizes } = this.seen.sorted(this.sampleSizes, from);
    const inserter = new SampleInserter(store.db);
    try {
      for (let at = 0; at < rowsTotal; at += SAMPLE_ROWS) {
        const rows = Math.min(SAMPLE_ROWS, rowsTotal - at);
        const block = keys.subarray(at * HASH_BYTES, (at + rows) * HASH_BYTES);
        this.alreadyKnown += rows - inserter.insert(block, sizes.subarray(at, at + rows), rows);
      }
    } finally {
      inserter.close();
    }
    this.insertedSamples = this.seen.size;
  }
}

function idFor(
  store: Store,
  table: 'sources' | 'licenses',
  column: 'name' | 'expression',
  value: string,
): number {
  store.run(`INSERT OR IGNORE INTO ${table} (${column}) VALUES (?)`, [value]);
  return Number(store.scalar(`SELECT id FROM ${table} WHERE ${column} = ?`, [value]));
}

function grown<T extends Float64Array | Uint32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
