/**
 * `origin trace`: everything recorded about one sample — its size, every source and license it
 * was observed under, every session and batch holding it (with positions), and when it was first
 * seen. Scans the batches' fingerprints columns with Buffer.indexOf (32-byte aligned hits only).
 */
import { toHex } from '../merkle';
import { decodeOrigins, originNames } from '../store/observations';
import { SampleQuery, forEachOccurrence, resolveSample } from './query';
import { Store } from '../store/store';
import { eventSummary, modelsForSessions } from '../lineage';

export interface TraceObservation {
  session_id: string;
  batch_seq: number;
  /** Position in the session (leaf index of the session tree). */
  position: number;
  /** Position in the batch (leaf index of the batch tree). */
  batch_position: number;
  source: string;
  license: string;
}

export interface TraceOrigin {
  source: string;
  license: string;
  observations: number;
}

export interface TraceSession {
  session_id: string;
  status: string;
  started_at: string;
  observations: number;
  first_position: number;
  batches: number[];
}

export interface TraceModel {
  type: string;
  hash: string;
  timestamp: string;
  summary: string;
  via_sessions: string[];
}

export interface TraceReport {
  fingerprint: string;
  size: number;
  observation_count: number;
  origins: TraceOrigin[];
  sessions: TraceSession[];
  observations: TraceObservation[];
  /** Training runs and evaluations recorded on sessions that contain the sample (lineage). */
  models: TraceModel[];
  /** The earliest batch that holds the sample, or null if no batch does. */
  first_seen: {
    at: string;
    session_id: string;
    session_started_at: string;
    batch_seq: number;
    position: number;
  } | null;
}

interface BatchHit {
  session_id: number;
  uid: string;
  status: string;
  started_at: string;
  seq: number;
  first_position: number;
  record_count: number;
  fingerprints: Uint8Array;
  origins: Uint8Array;
  created_at: string;
}

export function traceSample(store: Store, query: SampleQuery): TraceReport {
  const sample = resolveSample(store, query);
  const fp = sample.fingerprint;
  const names = originNames(store);
  const observations: TraceObservation[] = [];
  const sessions = new Map<string, TraceSession>();
  const sessionRowIds = new Set<number>();
  const origins = new Map<string, TraceOrigin>();
  let first: TraceReport['first_seen'] = null;

  const stmt = store.db.prepare(
    `SELECT b.session_id, s.uid, s.status, s.started_at, b.seq, b.first_position, b.record_count,
            b.fingerprints, b.origins, b.created_at
       FROM batches b JOIN sessions s ON s.id = b.session_id
      ORDER BY s.started_at, s.id, b.seq`,
  );
  try {
    while (stmt.step()) {
      const b = stmt.getAsObject() as unknown as BatchHit;
      let ids: Uint32Array | undefined;
      forEachOccurrence(b.fingerprints, fp, (i) => {
        ids ??= safeDecode(b.origins, b.record_count);
        const origin = ids && i < ids.length ? names.get(ids[i]) : undefined;
        const source = origin?.[0] ?? '?';
        const license = origin?.[1] ?? '?';
        const position = b.first_position + i;
        observations.push({
          session_id: b.uid,
          batch_seq: b.seq,
          position,
          batch_position: i,
          source,
          license,
        });
        const okey = `${source}\u0000${license}`;
        const o = origins.get(okey);
        if (o) o.observations++;
        else origins.set(okey, { source, license, observations: 1 });
        sessionRowIds.add(b.session_id);
        const s = sessions.get(b.uid);
        if (s) {
          s.observations++;
          if (s.batches[s.batches.length - 1] !== b.seq) s.batches.push(b.seq);
        } else {
          sessions.set(b.uid, {
            session_id: b.uid,
            status: b.status,
            started_at: b.started_at,
            observations: 1,
            first_position: position,
            batches: [b.seq],
          });
        }
        if (!first || b.created_at < first.at) {
          first = {
            at: b.created_at,
            session_id: b.uid,
            session_started_at: b.started_at,
            batch_seq: b.seq,
            position,
          };
        }
      });
    }
  } finally {
    stmt.free();
  }
  return {
    fingerprint: toHex(fp),
    size: sample.size,
    observation_count: observations.length,
    origins: [...origins.values()].sort(
      (a, b) =>
        b.observations - a.observations ||
        a.source.localeCompare(b.source) ||
        a.license.localeCompare(b.license),
    ),
    sessions: [...sessions.values()],
    observations,
    models: modelsForSessions(store, [...sessionRowIds]).map((m) => ({
      type: m.type,
      hash: m.hash,
      timestamp: m.timestamp,
      summary: eventSummary(m),
      via_sessions: m.via_sessions,
    })),
    first_seen: first,
  };
}

function safeDecode(blob: Uint8Array, count: number): Uint32Array | undefined {
  try {
    return decodeOrigins(blob, count);
  } catch {
    return undefined; // a damaged origins column; `origin verify` reports it
  }
}
