/**
 * `lineage verify` and the lineage part of `origin verify`: re-derives every hash from exactly
 * what is stored (SPEC.md §3).
 */
import { toHex } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import { SessionRow } from '../sessions/session';
import { Store } from '../store/store';
import { EventRow, Payload, isPayload } from './event';
import { Graph, loadGraph } from './graph';
import { eventHash } from './hash';
import { eventRow } from './lookup';
import { isCanonicalTimestamp } from './values';

export type LineageCheck =
  'missing' | 'hash' | 'payload' | 'timestamp' | 'parents' | 'reference' | 'dataset';

/** One thing wrong with one stored event. */
export interface LineageFailure {
  /** The event's stored hash (hex), or the hash asked for when no such event exists. */
  event: string;
  type: string | null;
  check: LineageCheck;
  message: string;
}

export interface LineageVerification {
  /** Events checked. */
  checked: number;
  failures: LineageFailure[];
}

const REFERENCES: Record<string, string> = { evaluation: 'dataset', prediction: 'model_event' };

function checkEvent(
  store: Store,
  graph: Graph,
  row: EventRow,
  sessions: Map<number, SessionRow | null>,
): LineageFailure[] {
  const failures: LineageFailure[] = [];
  const hex = toHex(row.hash);
  const fail = (check: LineageCheck, message: string): void => {
    failures.push({ event: hex, type: row.type, check, message });
  };
  if (row.hash.length !== 32) fail('hash', `the stored hash is ${row.hash.length} bytes, not 32`);

  let payload: Payload | undefined;
  try {
    const parsed: unknown = JSON.parse(row.payload);
    if (isPayload(parsed)) payload = parsed;
    else fail('payload', 'the stored payload is not a JSON object');
  } catch {
    fail('payload', 'the stored payload is not valid JSON');
  }
  if (payload !== undefined && canonicalJson(payload) !== row.payload) {
    fail('payload', 'the stored payload is not in canonical (RFC 8785) form');
  }
  if (!isCanonicalTimestamp(row.timestamp)) {
    fail('timestamp', `the timestamp "${row.timestamp}" is not RFC 3339 UTC with milliseconds`);
  }

  const parents: string[] = [];
  for (const parentId of graph.parentsOf.get(row.id) ?? []) {
    const parent = graph.byId.get(parentId);
    if (!parent) {
      fail('parents', `a parent link points at event row ${parentId}, which does not exist`);
      continue;
    }
    parents.push(toHex(parent.hash));
    if (parent.id >= row.id) {
      fail(
        'parents',
        `its parent ${toHex(parent.hash)} was recorded after it (a parent must exist first)`,
      );
    }
  }

  if (payload !== undefined) {
    const recomputed = toHex(
      eventHash({ type: row.type, parents, payload, timestamp: row.timestamp }),
    );
    if (recomputed !== hex) {
      fail(
        'hash',
        `its content no longer matches its hash (recomputed ${recomputed}): the type, payload, timestamp or parent links changed`,
      );
    }
    const refKey = REFERENCES[row.type];
    const ref = refKey === undefined ? undefined : payload[refKey];
    if (typeof ref === 'string' && !parents.includes(ref)) {
      fail('reference', `its ${refKey} ${ref} is not among its parents`);
    }
  }

  if (row.session_id !== null) {
    if (!sessions.has(row.session_id)) {
      sessions.set(
        row.session_id,
        store.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [row.session_id]) ?? null,
      );
    }
    const session = sessions.get(row.session_id);
    if (row.type !== 'dataset') {
      fail('dataset', `a ${row.type} event is linked to a session; only dataset events are`);
    } else if (!session) {
      fail('dataset', `its session (row ${row.session_id}) does not exist`);
    } else if (payload !== undefined) {
      const root = toHex(session.root);
      if (payload.session_id !== session.uid) {
        fail(
          'dataset',
          `it names session ${String(payload.session_id)} but is linked to session ${session.uid}`,
        );
      }
      if (payload.checksum !== root) {
        fail(
          'dataset',
          `its checksum ${String(payload.checksum)} is no longer the root of session ${session.uid} (${root})`,
        );
      }
      // Events recorded before SPEC v2 carry no session_head; their hash still pins the rest.
      const head = toHex(session.head);
      if (payload.session_head !== undefined && payload.session_head !== head) {
        fail(
          'dataset',
          `its session_head ${String(payload.session_head)} is no longer the head of session ${session.uid} (${head})`,
        );
      }
      if (payload.rows !== session.record_count) {
        fail(
          'dataset',
          `its rows ${String(payload.rows)} are no longer the record count of session ${session.uid} (${session.record_count})`,
        );
      }
    }
  } else if (row.type === 'dataset' && payload !== undefined && payload.session_id !== undefined) {
    fail(
      'dataset',
      `it names session ${String(payload.session_id)} but its link to the session is gone`,
    );
  }
  return failures;
}

/**
 * Re-derives every lineage hash from what is stored (SPEC.md §3): for the given events and every
 * ancestor on every path to the roots, or for all events when no hashes are given. Checks the
 * payload (JSON object in JCS form), the timestamp format, the parent links (exist, recorded
 * earlier, covered by the hash), references among the parents, and that a dataset event's
 * checksum and rows still equal its session's root and record count.
 */
export function verifyLineage(store: Store, hashes?: readonly Uint8Array[]): LineageVerification {
  const graph = loadGraph(store);
  const failures: LineageFailure[] = [];
  let ids: number[];
  if (hashes === undefined) {
    ids = [...graph.byId.keys()];
  } else {
    const selected = new Set<number>();
    const stack: number[] = [];
    for (const hash of hashes) {
      const row = eventRow(store, hash);
      if (!row) {
        failures.push({
          event: toHex(hash),
          type: null,
          check: 'missing',
          message: 'no such lineage event is recorded',
        });
      } else stack.push(row.id);
    }
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (selected.has(id) || !graph.byId.has(id)) continue;
      selected.add(id);
      stack.push(...(graph.parentsOf.get(id) ?? []));
    }
    ids = [...selected];
  }
  ids.sort((a, b) => a - b);
  const sessions = new Map<number, SessionRow | null>();
  for (const id of ids) {
    const row = graph.byId.get(id);
    if (row) failures.push(...checkEvent(store, graph, row, sessions));
  }
  return { checked: ids.length, failures };
}

/** The failures of verifyLineage: empty when every checked event is intact. For `origin verify`. */
export function verifyEvents(store: Store, hashes?: Buffer[]): LineageFailure[] {
  return verifyLineage(store, hashes).failures;
}
