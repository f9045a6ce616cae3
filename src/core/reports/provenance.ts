/**
 * Everything the audit outputs (card and exports) say about one session, gathered once from the
 * store. Every figure here comes from the store; nothing is estimated except where a field says so.
 */
import { createHash } from 'node:crypto';
import { toHex } from '../merkle';
import {
  SessionSummary,
  SourceLicenseCount,
  sessionSources,
  summarizeSession,
} from '../sessions/inspect';
import { IntendedUse, PropagationResult, Taxonomy } from '../licenses';
import { LicenseReading, analyzeSession } from '../licenses/report';
import { LineageEvent, Payload, eventSummary, modelsForSessions } from '../lineage';
import { EventRow } from '../lineage/event';
import { toEvent } from '../lineage/lookup';
import { decodeOrigins } from '../store/observations';
import { getSession } from '../sessions/session';
import {
  SessionObservations,
  distinctCount,
  readSessionObservations,
} from '../sessions/observations';
import { Store } from '../store/store';

export const GENERATOR_NAME = 'origin';

export interface SourceProvenance extends SourceLicenseCount {
  /** This source's records as a share of the session's records, 0–1. */
  record_share: number;
  /** This source's content bytes as a share of the session's content bytes, 0–1. */
  byte_share: number;
  /**
   * SHA-256 over the 32-byte fingerprints of this source's observations (this license), in session
   * order: one hash that pins exactly which samples the source contributed.
   */
  sha256: string;
}

export interface BatchRootInfo {
  seq: number;
  records: number;
  root: string;
}

/**
 * A lineage event about the session: a dataset event that links it, a training run or evaluation
 * built on such a dataset, or the dataset event such an evaluation names (which may be another
 * dataset, such as a test set).
 */
export interface LineageLink {
  type: string;
  hash: string;
  timestamp: string;
  parents: string[];
  payload: Payload;
  /** The payload as one line of key=value pairs. */
  summary: string;
  /** Hashes of this session's dataset events it descends from (training and evaluations). */
  via_datasets: string[];
  /** A dataset event that links this session. */
  links_session: boolean;
  /** Its timestamp is earlier than the session's start: worth a look (a clock, or a back-dated record). */
  before_session: boolean;
}

export interface SessionProvenance {
  generator: { name: string; version: string };
  /** RFC 3339 UTC; pinned by SOURCE_DATE_EPOCH for reproducible outputs. */
  generated_at: string;
  session: SessionSummary & {
    distinct_samples: number;
    duplicates: number;
  };
  sources: SourceProvenance[];
  licenses: PropagationResult;
  license_notes: LicenseReading[];
  integrity: {
    session_root: string;
    origins_root: string;
    /** SPEC §2.2: the hash over every claim about the session. */
    session_head: string;
    /** The exact command that checks these figures against the database. */
    verify_command: string;
    batches: number;
    first_batch: BatchRootInfo | null;
    last_batch: BatchRootInfo | null;
  };
  lineage: LineageLink[];
}

/** `origin verify` pinning a session's root and head: what a card or export tells its reader to run. */
export function verifyCommandFor(sessionId: string, root: string, head: string): string {
  return `origin verify --session ${sessionId} --root ${root} --head ${head}`;
}

/** Generation time: SOURCE_DATE_EPOCH (seconds) when set, so the same store gives the same bytes. */
export function generationTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    const seconds = Number(epoch);
    if (Number.isInteger(seconds) && seconds >= 0) return new Date(seconds * 1000).toISOString();
  }
  return new Date().toISOString();
}

function batchRoot(store: Store, sessionId: number, order: 'ASC' | 'DESC'): BatchRootInfo | null {
  const row = store.get<{ seq: number; record_count: number; root: Uint8Array }>(
    `SELECT seq, record_count, root FROM batches WHERE session_id = ? ORDER BY seq ${order} LIMIT 1`,
    [sessionId],
  );
  return row ? { seq: row.seq, records: row.record_count, root: toHex(row.root) } : null;
}

/** Per (source, license) origin id: SHA-256 of the fingerprints observed from it, in order. */
function sourceDigests(observations: SessionObservations): Map<number, string> {
  const hashes = new Map<number, ReturnType<typeof createHash>>();
  // Per batch, gather each origin's fingerprints into one scratch run and hash it with one
  // update: origins interleave record by record, and an update per observation is slow.
  const scratch = new Map<number, { buf: Buffer; used: number }>();
  for (const batch of observations.batches) {
    const ids = decodeOrigins(batch.origins, batch.record_count);
    const count = Math.min(batch.count, batch.record_count);
    const fps = observations.fingerprints.subarray(batch.index * 32, (batch.index + count) * 32);
    for (let i = 0; i < count;) {
      let j = i + 1;
      while (j < count && ids[j] === ids[i]) j++;
      let s = scratch.get(ids[i]);
      if (!s) {
        s = { buf: Buffer.allocUnsafe(count * 32), used: 0 };
        scratch.set(ids[i], s);
      } else if (s.buf.length < s.used + (j - i) * 32) {
        const grown = Buffer.allocUnsafe(Math.max(s.buf.length * 2, s.used + (j - i) * 32));
        s.buf.copy(grown, 0, 0, s.used);
        s.buf = grown;
      }
      s.buf.set(fps.subarray(i * 32, j * 32), s.used);
      s.used += (j - i) * 32;
      i = j;
    }
    for (const [id, s] of scratch) {
      if (s.used === 0) continue;
      let h = hashes.get(id);
      if (!h) {
        h = createHash('sha256');
        hashes.set(id, h);
      }
      h.update(s.buf.subarray(0, s.used));
      s.used = 0;
    }
  }
  return new Map([...hashes].map(([id, h]) => [id, h.digest('hex')]));
}

/**
 * The lineage of a session: its dataset events, the training runs and evaluations that descend
 * from them, and the dataset events those evaluations name; oldest first.
 */
function sessionLineage(store: Store, sessionRowId: number, startedAt: string): LineageLink[] {
  const links = new Map<string, LineageLink>();
  const add = (e: LineageEvent, via: string[], linksSession: boolean): void => {
    if (links.has(e.hash)) return;
    links.set(e.hash, {
      type: e.type,
      hash: e.hash,
      timestamp: e.timestamp,
      parents: e.parents,
      payload: e.payload,
      summary: eventSummary(e),
      via_datasets: via,
      links_session: linksSession,
      before_session: Date.parse(e.timestamp) < Date.parse(startedAt),
    });
  };
  const datasets = store.all<EventRow>(
    "SELECT * FROM events WHERE type = 'dataset' AND session_id = ? ORDER BY id",
    [sessionRowId],
  );
  for (const row of datasets) add(toEvent(store, row), [], true);
  const models = modelsForSessions(store, [sessionRowId]);
  for (const m of models) {
    const event = { hash: m.hash, type: m.type, parents: m.parents, payload: m.payload };
    add({ ...event, timestamp: m.timestamp }, m.via_datasets, false);
  }
  for (const m of models) {
    const ref = m.type === 'evaluation' ? m.payload.dataset : undefined;
    if (typeof ref !== 'string' || links.has(ref) || !/^[0-9a-f]{64}$/.test(ref)) continue;
    const row = store.get<EventRow>('SELECT * FROM events WHERE hash = ?', [
      Buffer.from(ref, 'hex'),
    ]);
    if (row) add(toEvent(store, row), [], row.session_id === sessionRowId);
  }
  return [...links.values()].sort(
    (a, b) => a.timestamp.localeCompare(b.timestamp) || a.hash.localeCompare(b.hash),
  );
}

export interface ProvenanceOptions {
  version: string;
  use?: IntendedUse;
  /** The session's observation columns, when the caller has read them already. */
  observations?: SessionObservations;
}

/** Gathers the provenance of one session (id or unique prefix). */
export function sessionProvenance(
  store: Store,
  taxonomy: Taxonomy,
  idOrPrefix: string,
  options: ProvenanceOptions,
): SessionProvenance {
  const row = getSession(store, idOrPrefix);
  const summary = summarizeSession(store, row);
  const observations = options.observations ?? readSessionObservations(store, row.id);
  const distinct = distinctCount(observations);
  const digests = sourceDigests(observations);
  const originIds = new Map(
    store
      .all<{ id: number; source: string; license: string }>(
        `SELECT o.id AS id, s.name AS source, l.expression AS license
           FROM session_origins so JOIN origins o ON o.id = so.origin_id
           JOIN sources s ON s.id = o.source_id JOIN licenses l ON l.id = o.license_id
          WHERE so.session_id = ?`,
        [row.id],
      )
      .map((o) => [`${o.source}\u0000${o.license}`, o.id]),
  );
  const sources = sessionSources(store, row.id).map((s) => ({
    ...s,
    record_share: summary.records > 0 ? s.records / summary.records : 0,
    byte_share: summary.bytes > 0 ? s.bytes / summary.bytes : 0,
    sha256:
      digests.get(originIds.get(`${s.source}\u0000${s.license}`) ?? -1) ??
      toHex(createHash('sha256').digest()),
  }));
  const analysis = analyzeSession(store, taxonomy, row, options.use);
  const originsRoot = toHex(row.origins_root);
  return {
    generator: { name: GENERATOR_NAME, version: options.version },
    generated_at: generationTime(),
    session: {
      ...summary,
      distinct_samples: distinct,
      duplicates: summary.records - distinct,
    },
    sources,
    licenses: analysis.result,
    license_notes: analysis.readings,
    integrity: {
      session_root: summary.session_root,
      origins_root: originsRoot,
      session_head: summary.session_head,
      verify_command: verifyCommandFor(
        summary.session_id,
        summary.session_root,
        summary.session_head,
      ),
      batches: summary.batches,
      first_batch: batchRoot(store, row.id, 'ASC'),
      last_batch: batchRoot(store, row.id, 'DESC'),
    },
    lineage: sessionLineage(store, row.id, summary.started_at),
  };
}
