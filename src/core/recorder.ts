/**
 * The write side of ingest: turns observed fingerprints into sample rows, batches with RFC 6962
 * roots, the session's compact range and per-origin totals. Callers wrap it in one transaction.
 */
import type { Statement } from 'sql.js';
import { CompactRange, HASH_BYTES, leafHash } from './fingerprint';
import { OriginRuns } from './observations';
import { SessionRow, SessionStatus, sessionRange } from './session';
import { Store } from './store';
import { nowUtc } from './time';

export const UNKNOWN_LICENSE = 'unknown';

export type Sighting = 'new' | 'known' | 'repeat';

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
  private readonly insertSample: Statement;
  private readonly range: CompactRange;
  private readonly seen = new Set<string>();
  private readonly originIds = new Map<string, number>();
  private readonly perOrigin = new Map<number, OriginTotals>();

  private batchFps: Buffer;
  private batchRange = new CompactRange();
  /** Leaf hashes of the current batch, kept only when the session tree is fed whole batches. */
  private batchLeaves: Buffer[] = [];
  private batchAligned = false;
  private readonly batchHeight: number;
  private batchRuns = new OriginRuns();
  private batchCount = 0;
  private batchBytes = 0;
  private batchSeq: number;
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
    this.insertSample = store.db.prepare(
      'INSERT OR IGNORE INTO samples (fingerprint, size) VALUES (?, ?)',
    );
    this.range = sessionRange(session);
    this.batchFps = Buffer.allocUnsafe(batchSize * HASH_BYTES);
    this.batchSeq = Number(
      store.scalar('SELECT coalesce(max(seq) + 1, 0) FROM batches WHERE session_id = ?', [
        session.id,
      ]),
    );
    this.firstBatchSeq = this.batchSeq;
    this.batchHeight = Number.isInteger(Math.log2(batchSize)) ? Math.log2(batchSize) : -1;
    this.startBatch();
  }

  /**
   * A full batch of 2^h leaves that starts at a multiple of 2^h is a perfect subtree of the
   * session tree, so its root can be appended to the session range in one step.
   */
  private startBatch(): void {
    this.batchAligned = this.batchHeight >= 0 && this.range.size % this.batchSize === 0;
    this.batchLeaves = [];
    this.batchStart = this.range.size;
  }

  private batchStart = 0;

  get recordCount(): number {
    return this.records;
  }

  /** Records and content bytes of this run, per origin id. */
  originTotals(): ReadonlyMap<number, Readonly<OriginTotals>> {
    return this.perOrigin;
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
    return id;
  }

  private idFor(table: 'sources' | 'licenses', column: string, value: string): number {
    this.store.run(`INSERT OR IGNORE INTO ${table} (${column}) VALUES (?)`, [value]);
    return Number(this.store.scalar(`SELECT id FROM ${table} WHERE ${column} = ?`, [value]));
  }

  /** Records one observation of content with this fingerprint and size, from this origin. */
  observe(fp: Buffer, size: number, originId: number): Sighting {
    let sighting: Sighting;
    const key = fp.toString('latin1');
    if (this.seen.has(key)) {
      this.duplicates++;
      sighting = 'repeat';
    } else {
      this.seen.add(key);
      this.insertSample.run([fp, size]);
      if (this.store.db.getRowsModified() === 1) {
        sighting = 'new';
      } else {
        this.alreadyKnown++;
        sighting = 'known';
      }
    }
    const leaf = leafHash(fp);
    if (this.batchAligned) this.batchLeaves.push(leaf);
    else this.range.appendLeafHash(leaf);
    this.batchRange.appendLeafHash(leaf);
    fp.copy(this.batchFps, this.batchCount * HASH_BYTES);
    this.batchRuns.add(originId);
    this.batchCount++;
    this.batchBytes += size;
    this.records++;
    this.bytes += size;
    const totals = this.perOrigin.get(originId);
    if (totals) {
      totals.records++;
      totals.bytes += size;
    } else {
      this.perOrigin.set(originId, { records: 1, bytes: size });
    }
    if (this.batchCount === this.batchSize) this.flushBatch();
    return sighting;
  }

  private flushBatch(): void {
    if (this.batchCount === 0) return;
    const batchRoot = this.batchRange.root();
    if (this.batchAligned) {
      if (this.batchCount === this.batchSize) this.range.appendSubtree(batchRoot, this.batchHeight);
      else for (const leaf of this.batchLeaves) this.range.appendLeafHash(leaf);
    }
    this.store.run(
      `INSERT INTO batches (session_id, seq, first_position, record_count, byte_count, root, fingerprints, origins, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.session.id,
        this.batchSeq,
        this.batchStart,
        this.batchCount,
        this.batchBytes,
        batchRoot,
        this.batchFps.subarray(0, this.batchCount * HASH_BYTES),
        this.batchRuns.encode(),
        nowUtc(),
      ],
    );
    this.batchSeq++;
    this.batches++;
    this.batchRange = new CompactRange();
    this.batchCount = 0;
    this.batchBytes = 0;
    this.startBatch();
  }

  /**
   * Flushes the last partial batch and writes the session's new size, frontier, root and totals.
   * `endStatus` also ends the session (completed, failed, interrupted).
   */
  finish(skipped: number, endStatus?: SessionStatus): RecordedTotals {
    this.flushBatch();
    this.insertSample.free();
    const root = this.range.root();
    this.store.run(
      `UPDATE sessions SET record_count = ?, byte_count = byte_count + ?, skipped_count = skipped_count + ?,
         frontier = ?, root = ?, status = coalesce(?, status), ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END
       WHERE id = ?`,
      [
        this.range.size,
        this.bytes,
        skipped,
        this.range.serialize(),
        root,
        endStatus ?? null,
        endStatus ?? null,
        nowUtc(),
        this.session.id,
      ],
    );
    for (const [originId, t] of this.perOrigin) {
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
