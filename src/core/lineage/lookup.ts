/** Finding stored events: by hash or a unique hash prefix, one or all of them. */
import { StoreError, UsageError } from '../errors';
import { toHex } from '../merkle';
import { PrefixLookup, findByPrefix } from '../store/prefix';
import { Store } from '../store/store';
import { EventRow, LineageEvent, Payload, isPayload } from './event';

/** Shortest accepted hash prefix (SPEC.md §5 uses 6 for sessions; events are more numerous). */
export const MIN_HASH_PREFIX = 8;

const LIST_HINT = 'list events with `origin lineage list`';

export function eventRow(store: Store, hash: Uint8Array): EventRow | undefined {
  return store.get<EventRow>('SELECT * FROM events WHERE hash = ?', [hash]);
}

/** How events are named by hash prefix; `what` names the reference in messages (`parent`). */
function byHash(what: string): PrefixLookup<EventRow> {
  return {
    table: 'events',
    column: 'hash',
    storage: 'blob',
    minLength: MIN_HASH_PREFIX,
    fullLength: 64,
    invalid: (ref) =>
      new UsageError(
        `${what} "${ref}" is not an event hash (64 hex characters, or a prefix of 8 or more)`,
        LIST_HINT,
      ),
    tooShort: (ref) =>
      new UsageError(
        `${what} hash prefix "${ref}" is too short`,
        `give at least ${MIN_HASH_PREFIX} characters; ${LIST_HINT}`,
      ),
    notFound: (ref) => new UsageError(`no lineage event matches ${what} "${ref}"`, LIST_HINT),
    ambiguous: {
      subject: (ref) => `${what} hash prefix "${ref}"`,
      candidate: (r) => `${toHex(r.hash)}  ${r.type}  ${r.timestamp}`,
      hint: 'give more characters of the hash',
    },
  };
}

/**
 * Finds an event by its full hash or a unique prefix of at least 8 hex characters.
 * Unknown, ambiguous or malformed references are usage errors (exit 2).
 */
export function resolveEventRow(store: Store, ref: string, what = 'event'): EventRow {
  return findByPrefix(store, byHash(what), ref);
}

export function parsePayloadText(row: EventRow): Payload {
  let value: unknown;
  try {
    value = JSON.parse(row.payload);
  } catch {
    value = undefined;
  }
  if (!isPayload(value)) {
    throw new StoreError(
      `lineage event ${toHex(row.hash)} has a damaged payload`,
      'run `origin lineage verify` to see every damaged event',
    );
  }
  return value;
}

function parentHashes(store: Store, childId: number): string[] {
  return store
    .all<{
      hash: Uint8Array;
    }>(
      'SELECT p.hash AS hash FROM event_parents ep JOIN events p ON p.id = ep.parent_id WHERE ep.child_id = ?',
      [childId],
    )
    .map((r) => toHex(r.hash))
    .sort();
}

export function toEvent(store: Store, row: EventRow): LineageEvent {
  return {
    hash: toHex(row.hash),
    type: row.type,
    parents: parentHashes(store, row.id),
    payload: parsePayloadText(row),
    timestamp: row.timestamp,
  };
}

/** Every event, oldest recorded first, optionally of one type. */
export function listEvents(store: Store, filter: { type?: string } = {}): LineageEvent[] {
  const rows = filter.type
    ? store.all<EventRow>('SELECT * FROM events WHERE type = ? ORDER BY id', [filter.type])
    : store.all<EventRow>('SELECT * FROM events ORDER BY id');
  return rows.map((row) => toEvent(store, row));
}

/** Resolves an event reference (full hash or 8+ hex prefix) to its 32-byte hash; exit 2 if none. */
export function resolveEventHash(store: Store, ref: string): Buffer {
  return Buffer.from(resolveEventRow(store, ref).hash);
}
