/**
 * The write side of ingest: turns observed fingerprints into sample rows, batches with RFC 6962
 * roots, the session's compact range and per-origin totals. Callers wrap it in one transaction.
 */
import { CompactRange, HASH_BYTES, asBuffer, rootOfLeafHashes } from '../merkle';
import { FingerprintIndex } from '../samples/fingerprint-index';
import { OriginRuns, encodeSizes, originNames } from '../store/observations';
import { OriginsDigest, addStoredRuns } from '../sessions/origins-digest';
import { SAMPLE_ROWS, SampleInserter } from './samples';
import { SessionRow, SessionStatus, sessionRange } from '../sessions/session';
import { Store } from '../store/store';
import { nowUtc } from '../time';

export const UNKNOWN_LICENSE = 'unknown';

export interface RecordedTotals {
  records: number;
  bytes: number;
  distinct: number;
  duplicates: number;
  alreadyKnown: number;
  newSamples: number;
  batches: number;
  firstBatchSeq: number;
  sessionSize: number;
  root: Buffer;
}

interface OriginTotals {
  records: number;
  bytes: number;
}

export class Recorder {
  private readonly range: CompactRange;
  private readonly seen = new FingerprintIndex();
  private readonly originIds = new Map<string, number>();
  /** [source, license] of the origins this run used (the origins digest names them). */
  private readonly namesById = new Map<number, readonly [string, string]>();
  /** The session's origins digest, kept up to date batch by batch. */
  private readonly originsDigest: OriginsDigest;
  /** Records and content bytes of this run, indexed by origin id. */
  private readonly originRecords: number[] = [];
  private readonly originBytes: number[] = [];

  /** Content bytes of each distinct sample, by its number in `seen`. */
  private sampleSizes = new Float64Array(1024);

  private readonly batchFps: Buffer;
  private readonly batchLeaves: Buffer;
  private readonly batchSizes: Float64Array;
  private batchRuns = new OriginRuns();
  private batchCount = 0;
  private batchBytes = 0;
  private batchSeq: number;
  private batchStart = 0;
  private readonly firstBatchSeq: number;

  private records = 0;
  private bytes = 0;
  private duplicates = 0;
  private alreadyKnown = 0;
  private batches = 0;

  constructor(
    private readonly store: Store,
    private readonly session: SessionRow,
    private readonly batchSize: number,
  ) {
    this.range = sessionRange(session);
    this.batchFps = Buffer.allocUnsafe(batchSize * HASH_BYTES);
    this.batchLeaves = Buffer.allocUnsafe(batchSize * HASH_BYTES);
    this.batchSizes = new Float64Array(batchSize);
    this.batchSeq = Number(
      store.scalar('SELECT coalesce(max(seq) + 1, 0) FROM batches WHERE session_id = ?', [
        session.id,
      ]),
    );
    this.firstBatchSeq = this.batchSeq;
    let storedNames: ReadonlyMap<number, readonly [string, string]> | undefined;
    this.originsDigest = new OriginsDigest(
      (id) => this.namesById.get(id) ?? (storedNames ??= originNames(store)).get(id),
    );
    // Appending to a session: its digest starts from the batches it already has.
    if (this.batchSeq > 0) addStoredRuns(this.originsDigest, store, session.id);
    this.batchStart = this.range.size;
  }

  get recordCount(): number {
    return this.records;
  }

  /** Records and content bytes of this run, per origin id. */
  originTotals(): ReadonlyMap<number, Readonly<OriginTotals>> {
    const totals = new Map<number, OriginTotals>();
    this.originRecords.forEach((records, id) => {
      if (records > 0) totals.set(id, { records, bytes: this.originBytes[id] });
    });
    return totals;
  }

  /** The id of a (source, license) pair, created on first use. */
  originId(source: string, license: string): number {
    const key = `${source}\u0000${license}`;
    const cached = this.originIds.get(key);
    if (cached !== undefined) return cached;
    const sourceId = this.idFor('sources', 'name', source);
    const licenseId = this.idFor('licenses', 'expression', license);
    this.store.run('INSERT OR IGNORE INTO origins (source_id, license_id) VALUES (?, ?)', [
      sourceId,
      licenseId,
    ]);
    const id = Number(
      this.store.scalar('SELECT id FROM origins WHERE source_id = ? AND license_id = ?', [
        sourceId,
        licenseId,
      ]),
    );
    this.originIds.set(key, id);
    this.namesById.set(id, [source, license]);
    this.originRecords[id] ??= 0;
    this.originBytes[id] ??= 0;
    return id;
  }

  private idFor(table: 'sources' | 'licenses', column: string, value: string): number {
    this.store.run(`INSERT OR IGNORE INTO ${table} (${column}) VALUES (?)`, [value]);
    return Number(this.store.scalar(`SELECT id FROM ${table} WHERE ${column} = ?`, [value]));
  }

  /** Makes room for about `records` more observations ahead of time (an estimate is fine). */
  reserve(records: number): void {
    const expected = this.seen.size + records;
    this.seen.reserve(expected);
    if (this.sampleSizes.length < expected) {
      const sizes = new Float64Array(expected);
      sizes.set(this.sampleSizes);
      this.sampleSizes = sizes;
    }
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
    const fps = asBuffer(fingerprints);
    const leafHashes = asBuffer(leaves);
    let i = 0;
    while (i < count) {
      const n = Math.min(count - i, this.batchSize - this.batchCount);
      fps.copy(this.batchFps, this.batchCount * HASH_BYTES, i * HASH_BYTES, (i + n) * HASH_BYTES);
      leafHashes.copy(
        this.batchLeaves,
        this.batchCount * HASH_BYTES,
        i * HASH_BYTES,
        (i + n) * HASH_BYTES,
      );
      for (let slot = this.batchCount, end = i + n; i < end; i++, slot++) {
        const size = sizes[i];
        const originId = originIds[i];
        this.batchSizes[slot] = size;
        const number = this.seen.insert(fps, i * HASH_BYTES);
        if (number >= 0) {
          if (number >= this.sampleSizes.length) {
            const grown = new Float64Array(number * 2);
            grown.set(this.sampleSizes);
            this.sampleSizes = grown;
          }
          this.sampleSizes[number] = size;
        } else {
          this.duplicates++;
        }
        this.batchRuns.add(originId);
        this.batchBytes += size;
        this.bytes += size;
        this.originRecords[originId] += 1;
        this.originBytes[originId] += size;
      }
      this.batchCount += n;
      if (this.batchCount === this.batchSize) this.flushBatch();
    }
    this.records += count;
  }

  /**
   * Inserts this run's distinct samples, in fingerprint order (B-tree inserts in key order cost
   * about half of random ones); the ones the store already had count as known.
   */
  private insertSamples(): void {
    const { keys, values: sizes } = this.seen.sorted(this.sampleSizes);
    const inserter = new SampleInserter(this.store.db);
    try {
      for (let at = 0; at < this.seen.size; at += SAMPLE_ROWS) {
        const rows = Math.min(SAMPLE_ROWS, this.seen.size - at);
        const block = keys.subarray(at * HASH_BYTES, (at + rows) * HASH_BYTES);
        this.alreadyKnown += rows - inserter.insert(block, sizes.subarray(at, at + rows), rows);
      }
    } finally {
      inserter.close();
    }
  }

  private flushBatch(): void {
    const count = this.batchCount;
    if (count === 0) return;
    const fingerprints = this.batchFps.subarray(0, count * HASH_BYTES);
    const leaves = this.batchLeaves.subarray(0, count * HASH_BYTES);
    // The session tree takes the batch as its perfect subtrees (one, when the batch is aligned):
    // hashed from copies, since rootOfLeafHashes overwrites its input.
    const batchRoot = rootOfLeafHashes(Buffer.from(leaves), count);
    this.range.appendLeafHashes(leaves, count, batchRoot);
    const origins = this.batchRuns.take();
    this.originsDigest.addRuns(origins.runs, origins.runs.length);
    this.store.run(
      `INSERT INTO batches (session_id, seq, first_position, record_count, byte_count, root, fingerprints, origins, sizes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.session.id,
        this.batchSeq,
        this.batchStart,
        count,
        this.batchBytes,
        batchRoot,
        fingerprints,
        origins.encoded,
        encodeSizes(this.batchSizes, count),
        nowUtc(),
      ],
    );
    this.batchSeq++;
    this.batches++;
    this.batchCount = 0;
    this.batchBytes = 0;
    this.batchStart = this.range.size;
  }

  /**
   * Flushes the last partial batch and writes the session's new size, frontier, root and totals.
   * `endStatus` also ends the session (completed, failed, interrupted).
   */
  finish(skipped: number, endStatus?: SessionStatus): RecordedTotals {
    this.flushBatch();
    this.insertSamples();
    const root = this.range.root();
    this.store.run(
      `UPDATE sessions SET record_count = ?, byte_count = byte_count + ?, skipped_count = skipped_count + ?,
         frontier = ?, root = ?, origins_digest = ?, status = coalesce(?, status),
         ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END
       WHERE id = ?`,
      [
        this.range.size,
        this.bytes,
        skipped,
        this.range.serialize(),
        root,
        this.originsDigest.digest(),
        endStatus ?? null,
        endStatus ?? null,
        nowUtc(),
        this.session.id,
      ],
    );
    for (const [originId, t] of this.originTotals()) {
      this.store.run(
        `INSERT INTO session_origins (session_id, origin_id, records, bytes) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id, origin_id) DO UPDATE SET records = records + excluded.records, bytes = bytes + excluded.bytes`,
        [this.session.id, originId, t.records, t.bytes],
      );
    }
    this.store.markChanged();
    return {
      records: this.records,
      bytes: this.bytes,
      distinct: this.seen.size,
      duplicates: this.duplicates,
      alreadyKnown: this.alreadyKnown,
      newSamples: this.seen.size - this.alreadyKnown,
      batches: this.batches,
      firstBatchSeq: this.firstBatchSeq,
      sessionSize: this.range.size,
      root,
    };
  }
}
