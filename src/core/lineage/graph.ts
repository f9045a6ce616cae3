/** The DAG of events: every path from an event to the roots, and the models built on sessions. */
import { toHex } from '../merkle';
import { SessionRow } from '../sessions/session';
import { Store } from '../store/store';
import { EventRow, LineageEvent } from './event';
import { parsePayloadText, resolveEventRow, toEvent } from './lookup';

export interface Graph {
  byId: Map<number, EventRow>;
  parentsOf: Map<number, number[]>;
  childrenOf: Map<number, number[]>;
}

export function loadGraph(store: Store): Graph {
  const byId = new Map<number, EventRow>();
  for (const row of store.all<EventRow>('SELECT * FROM events ORDER BY id')) byId.set(row.id, row);
  const parentsOf = new Map<number, number[]>();
  const childrenOf = new Map<number, number[]>();
  const edges = store.all<{ child_id: number; parent_id: number }>(
    'SELECT child_id, parent_id FROM event_parents ORDER BY child_id, parent_id',
  );
  for (const { child_id, parent_id } of edges) {
    if (!parentsOf.has(child_id)) parentsOf.set(child_id, []);
    parentsOf.get(child_id)?.push(parent_id);
    if (!childrenOf.has(parent_id)) childrenOf.set(parent_id, []);
    childrenOf.get(parent_id)?.push(child_id);
  }
  return { byId, parentsOf, childrenOf };
}

/** The recorded session a dataset event links. */
export interface SessionLink {
  session_id: string;
  status: string;
  records: number;
  session_root: string;
}

/** One event of a trace, with its parents' events nested (nested form). */
export interface TraceNode extends LineageEvent {
  /** The session behind a dataset event, if it links one. */
  session?: SessionLink;
  parent_events: TraceNode[];
  /** True when this event was already expanded earlier in the tree (its ancestors are there). */
  repeated?: boolean;
}

/**
 * One event of a trace, each once (list form): breadth-first from the leaf, with its shortest
 * distance from the leaf; within one depth newest first.
 */
export interface TraceItem extends LineageEvent {
  depth: number;
  session?: SessionLink;
}

export interface LineageTrace {
  tree: TraceNode;
  events: TraceItem[];
}

function sessionLink(store: Store, row: EventRow): SessionLink | undefined {
  if (row.session_id === null) return undefined;
  const session = store.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [row.session_id]);
  if (!session) return undefined;
  return {
    session_id: session.uid,
    status: session.status,
    records: session.record_count,
    session_root: toHex(session.root),
  };
}

/**
 * Every path from an event to the roots of the DAG. The tree shows each event's ancestors at its
 * first occurrence only (later occurrences are marked `repeated`), so its size is bounded by the
 * number of links; the list form holds each event once, in breadth-first order from the leaf.
 */
export function traceEvent(store: Store, ref: string): LineageTrace {
  const leaf = resolveEventRow(store, ref);
  const graph = loadGraph(store);
  const events = new Map<number, LineageEvent>();
  const eventOf = (row: EventRow): LineageEvent => {
    let event = events.get(row.id);
    if (!event) {
      event = {
        hash: toHex(row.hash),
        type: row.type,
        parents: (graph.parentsOf.get(row.id) ?? [])
          .map((id) => graph.byId.get(id))
          .filter((p): p is EventRow => p !== undefined)
          .map((p) => toHex(p.hash))
          .sort(),
        payload: parsePayloadText(row),
        timestamp: row.timestamp,
      };
      events.set(row.id, event);
    }
    return event;
  };
  const withSession = <T extends object>(
    row: EventRow,
    value: T,
  ): T & { session?: SessionLink } => {
    const session = sessionLink(store, row);
    return session ? { ...value, session } : value;
  };
  const expanded = new Set<number>();
  const build = (row: EventRow, onPath: Set<number>): TraceNode => {
    const base = withSession(row, { ...eventOf(row) });
    if (expanded.has(row.id) || onPath.has(row.id)) {
      return { ...base, parent_events: [], repeated: true };
    }
    expanded.add(row.id);
    const path = new Set(onPath).add(row.id);
    const parentRows = (graph.parentsOf.get(row.id) ?? [])
      .map((id) => graph.byId.get(id))
      .filter((p): p is EventRow => p !== undefined)
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id - a.id);
    return { ...base, parent_events: parentRows.map((p) => build(p, path)) };
  };
  const tree = build(leaf, new Set());

  const items: TraceItem[] = [];
  const seen = new Set<number>([leaf.id]);
  let frontier = [leaf];
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: EventRow[] = [];
    for (const row of frontier) {
      items.push(withSession(row, { ...eventOf(row), depth }));
      for (const id of graph.parentsOf.get(row.id) ?? []) {
        const parent = graph.byId.get(id);
        if (parent && !seen.has(id)) {
          seen.add(id);
          next.push(parent);
        }
      }
    }
    // Within one depth: newest first, as in the tree.
    frontier = next.sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id - a.id);
  }
  return { tree, events: items };
}

/** A training or evaluation event built on data of the given sessions. */
export interface ModelLink extends LineageEvent {
  /** Hashes of the session-linked dataset events it descends from. */
  via_datasets: string[];
  /** Ids of those sessions. */
  via_sessions: string[];
}

/**
 * The training events (and evaluations) that descend from dataset events linked to the given
 * sessions (`sessions.id` row ids): which models a sample's data went into. Oldest first.
 */
export function modelsForSessions(store: Store, sessionIds: readonly number[]): ModelLink[] {
  if (sessionIds.length === 0) return [];
  const graph = loadGraph(store);
  const wanted = new Set(sessionIds);
  const reached = new Map<number, { datasets: Set<string>; sessions: Set<string> }>();
  const uids = new Map<number, string>();
  for (const row of graph.byId.values()) {
    if (row.type !== 'dataset' || row.session_id === null || !wanted.has(row.session_id)) continue;
    let uid = uids.get(row.session_id);
    if (uid === undefined) {
      uid = store.get<{ uid: string }>('SELECT uid FROM sessions WHERE id = ?', [
        row.session_id,
      ])?.uid;
      if (uid === undefined) continue;
      uids.set(row.session_id, uid);
    }
    const datasetHash = toHex(row.hash);
    const seen = new Set<number>([row.id]);
    const stack = [...(graph.childrenOf.get(row.id) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = reached.get(id) ?? { datasets: new Set<string>(), sessions: new Set<string>() };
      entry.datasets.add(datasetHash);
      entry.sessions.add(uid);
      reached.set(id, entry);
      stack.push(...(graph.childrenOf.get(id) ?? []));
    }
  }
  const out: ModelLink[] = [];
  for (const id of [...reached.keys()].sort((a, b) => a - b)) {
    const row = graph.byId.get(id);
    if (!row || (row.type !== 'training' && row.type !== 'evaluation')) continue;
    const via = reached.get(id);
    out.push({
      ...toEvent(store, row),
      via_datasets: [...(via?.datasets ?? [])].sort(),
      via_sessions: [...(via?.sessions ?? [])].sort(),
    });
  }
  return out;
}
