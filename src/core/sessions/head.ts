/**
 * The session head (SPEC.md §2.2): one hash over every claim the store makes about a session —
 * status, times, config hash, metadata, totals, the session root and the origins root. Stored,
 * kept current at every commit, re-derived by `origin verify`, and what cards, exports, dataset
 * lineage events, attestations and the store log name.
 */
import { sha256, toHex } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import type { Store } from '../store/store';
import type { SessionRow } from './session';

export interface SessionHeadDocument {
  type: 'origin-session-head';
  version: 1;
  session_id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  config_hash: string | null;
  metadata: Record<string, string>;
  records: number;
  bytes: number;
  skipped: number;
  root: string;
  origins_root: string;
}

/** The fields of a session row the head commits to. */
export type HeadFields = Pick<
  SessionRow,
  | 'uid'
  | 'status'
  | 'started_at'
  | 'ended_at'
  | 'config_hash'
  | 'metadata'
  | 'record_count'
  | 'byte_count'
  | 'skipped_count'
  | 'root'
  | 'origins_root'
>;

/** The head document of a session row; throws when its metadata is not a JSON object of strings. */
export function headDocument(row: HeadFields): SessionHeadDocument {
  const metadata: unknown = JSON.parse(row.metadata);
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    Array.isArray(metadata) ||
    Object.values(metadata).some((v) => typeof v !== 'string')
  ) {
    throw new TypeError('metadata is not a JSON object of strings');
  }
  return {
    type: 'origin-session-head',
    version: 1,
    session_id: row.uid,
    status: row.status,
    started_at: row.started_at,
    ended_at: row.ended_at,
    config_hash: row.config_hash,
    metadata: metadata as Record<string, string>,
    records: row.record_count,
    bytes: row.byte_count,
    skipped: row.skipped_count,
    root: toHex(row.root),
    origins_root: toHex(row.origins_root),
  };
}

/** SHA-256 of the head document's RFC 8785 form. */
export function headOf(document: SessionHeadDocument): Buffer {
  return sha256(canonicalJson(document));
}

/** Re-derives and stores the head of session `id` (after any change to its row). */
export function refreshHead(store: Store, id: number): Buffer {
  const row = store.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]);
  if (!row) throw new RangeError(`session ${id} does not exist`);
  const head = headOf(headDocument(row));
  store.run('UPDATE sessions SET head = ? WHERE id = ?', [head, id]);
  return head;
}

/**
 * Schema migration 5: the head of every session already recorded. A session whose row cannot be
 * read as a head (damaged metadata) keeps an empty head, which `origin verify` reports.
 */
export function deriveHeads(store: Store): void {
  for (const { id } of store.all<{ id: number }>('SELECT id FROM sessions ORDER BY id')) {
    try {
      refreshHead(store, id);
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof TypeError)) throw err;
    }
  }
}
