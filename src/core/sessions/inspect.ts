import { toHex } from '../merkle';
import { SessionRow, getSession } from './session';
import { distinctCount, readSessionObservations } from './observations';
import { Store } from '../store/store';
import { SessionWriter, sessionWriters } from './writers';

export interface SessionSummary {
  session_id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  config_hash: string | null;
  metadata: Record<string, string>;
  records: number;
  bytes: number;
  skipped: number;
  batches: number;
  session_root: string;
  /** SPEC §2.1: the tree over every observation's [source, license]. */
  origins_root: string;
  /** SPEC §2.2: the hash over every claim about the session; `origin verify --head` pins it. */
  session_head: string;
}

export interface SourceLicenseCount {
  source: string;
  license: string;
  records: number;
  bytes: number;
}

export interface BatchInfo {
  seq: number;
  first_position: number;
  records: number;
  bytes: number;
  root: string;
  created_at: string;
}

export interface SessionReport extends SessionSummary {
  /** Ingests noted as writing into the session (an open session's writer that died shows here). */
  writers: SessionWriter[];
  distinct_samples: number;
  sources: SourceLicenseCount[];
  batch_list?: BatchInfo[];
}

export function summarizeSession(store: Store, session: SessionRow): SessionSummary {
  return {
    session_id: session.uid,
    status: session.status,
    started_at: session.started_at,
    ended_at: session.ended_at,
    config_hash: session.config_hash,
    metadata: JSON.parse(session.metadata) as Record<string, string>,
    records: session.record_count,
    bytes: session.byte_count,
    skipped: session.skipped_count,
    batches: Number(
      store.scalar('SELECT count(*) FROM batches WHERE session_id = ?', [session.id]),
    ),
    session_root: toHex(session.root),
    origins_root: toHex(session.origins_root),
    session_head: toHex(session.head),
  };
}

/** Records and bytes per (source, license) of a session, largest first. */
export function sessionSources(store: Store, sessionId: number): SourceLicenseCount[] {
  return store.all<SourceLicenseCount>(
    `SELECT s.name AS source, l.expression AS license, so.records AS records, so.bytes AS bytes
       FROM session_origins so
       JOIN origins o ON o.id = so.origin_id
       JOIN sources s ON s.id = o.source_id
       JOIN licenses l ON l.id = o.license_id
      WHERE so.session_id = ?
      ORDER BY so.records DESC, s.name, l.expression`,
    [sessionId],
  );
}

/** Distinct contents among a session's observations (reads its fingerprint columns). */
export function countDistinct(store: Store, sessionId: number): number {
  return distinctCount(readSessionObservations(store, sessionId));
}

export function listBatches(store: Store, sessionId: number): BatchInfo[] {
  return store
    .all<{
      seq: number;
      first_position: number;
      record_count: number;
      byte_count: number;
      root: Uint8Array;
      created_at: string;
    }>(
      'SELECT seq, first_position, record_count, byte_count, root, created_at FROM batches WHERE session_id = ? ORDER BY seq',
      [sessionId],
    )
    .map((b) => ({
      seq: b.seq,
      first_position: b.first_position,
      records: b.record_count,
      bytes: b.byte_count,
      root: toHex(b.root),
      created_at: b.created_at,
    }));
}

/** Everything `origin inspect` shows about one session. */
export function inspectSession(
  store: Store,
  idOrPrefix: string,
  withBatches: boolean,
): SessionReport {
  const session = getSession(store, idOrPrefix);
  return {
    ...summarizeSession(store, session),
    writers: sessionWriters(store, session.id),
    distinct_samples: countDistinct(store, session.id),
    sources: sessionSources(store, session.id),
    ...(withBatches ? { batch_list: listBatches(store, session.id) } : {}),
  };
}
