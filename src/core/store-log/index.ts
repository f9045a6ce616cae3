/**
 * The store log (SPEC.md §2.4): an RFC 6962 tree over the store's sealed facts, in the order they
 * were sealed — a session's head when it ends, and every lineage event hash when it is recorded.
 * Its head {tree_size, root} is what `status` prints, `verify --store-root/--store-size` pins and
 * an attestation names; a consistency proof between two heads shows nothing sealed was removed.
 */
import { HASH_BYTES, asBuffer, merkleRoot, toHex } from '../merkle';
import type { Store } from '../store/store';

export interface StoreHead {
  tree_size: number;
  root: string;
}

/** One leaf: the 32-byte head or event hash, and which session or event sealed it. */
export interface StoreLogLeaf {
  position: number;
  leaf: Uint8Array;
  session_id: number | null;
  event_id: number | null;
}

export function storeLogLeaves(store: Store): StoreLogLeaf[] {
  return store.all<StoreLogLeaf>(
    'SELECT position, leaf, session_id, event_id FROM store_log ORDER BY position',
  );
}

/** The leaf data of the log, in order (what its tree is built from). */
export function storeLogLeafData(store: Store): Buffer[] {
  return storeLogLeaves(store).map((l) => asBuffer(l.leaf));
}

/** The store head of the first `size` leaves (all of them by default). */
export function storeHead(store: Store, size?: number): StoreHead {
  const leaves = storeLogLeafData(store);
  const n = size ?? leaves.length;
  if (!Number.isSafeInteger(n) || n < 0 || n > leaves.length) {
    throw new RangeError(`the store log has ${leaves.length} leaves, not ${n}`);
  }
  return { tree_size: n, root: toHex(merkleRoot(leaves.slice(0, n))) };
}

/** Seals a session's head: called when the session ends (it never changes after). */
export function sealSession(store: Store, sessionId: number, head: Uint8Array): void {
  append(store, head, sessionId, null);
}

/** Seals a lineage event's hash when it is recorded. */
export function sealEvent(store: Store, eventId: number, hash: Uint8Array): void {
  append(store, hash, null, eventId);
}

function append(
  store: Store,
  leaf: Uint8Array,
  sessionId: number | null,
  eventId: number | null,
): void {
  if (leaf.length !== HASH_BYTES) throw new RangeError('a store log leaf is 32 bytes');
  store.run(
    `INSERT INTO store_log (position, leaf, session_id, event_id)
     VALUES ((SELECT count(*) FROM store_log), ?, ?, ?)`,
    [leaf, sessionId, eventId],
  );
}

/**
 * Schema migration 6: a store recorded before the log gets one, back-filled — ended sessions in
 * the order they ended, then lineage events in the order they were recorded. `meta` keeps how
 * many leaves were back-filled (README: Integrity).
 */
export function backfillStoreLog(store: Store): void {
  const sessions = store.all<{ id: number; head: Uint8Array }>(
    "SELECT id, head FROM sessions WHERE status <> 'open' ORDER BY ended_at, id",
  );
  for (const s of sessions) {
    if (s.head.length === HASH_BYTES) sealSession(store, s.id, s.head);
  }
  for (const e of store.all<{ id: number; hash: Uint8Array }>(
    'SELECT id, hash FROM events ORDER BY id',
  )) {
    sealEvent(store, e.id, e.hash);
  }
  const filled = Number(store.scalar('SELECT count(*) FROM store_log'));
  if (filled > 0) {
    store.run('INSERT INTO meta (key, value) VALUES (?, ?)', [
      'store_log_backfilled',
      String(filled),
    ]);
  }
}
