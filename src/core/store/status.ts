import { statSync } from 'node:fs';
import { Store } from './store';
import { sessionsWithDeadWriters } from '../sessions/writers';
import { StoreHead, storeHead } from '../store-log';

export interface StoreStatus {
  path: string;
  schema_version: number;
  file_bytes: number;
  created_at: string | null;
  /** Open sessions whose ingest died (on this host): close them with `session end --status interrupted`. */
  writer_died: string[];
  /** SPEC §2.4: the store log's head; `verify --store-root R --store-size N` pins it. */
  store_head: StoreHead;
  /** Leaves of the store log back-filled by the schema upgrade that created it (0 when none). */
  store_log_backfilled: number;
  counts: {
    sessions: number;
    sources: number;
    licenses: number;
    samples: number;
    observations: number;
    batches: number;
    events: number;
  };
}

/** What is in the store, from the file on disk and the tables' counts. */
export function storeStatus(store: Store): StoreStatus {
  const count = (sql: string): number => Number(store.scalar(sql) ?? 0);
  const created = store.get<{ value: string }>("SELECT value FROM meta WHERE key = 'created_at'");
  return {
    path: store.path,
    schema_version: store.schemaVersion,
    file_bytes: statSync(store.path).size,
    created_at: created?.value ?? null,
    writer_died: [...sessionsWithDeadWriters(store).values()],
    store_head: storeHead(store),
    store_log_backfilled: Number(
      store.get<{ value: string }>("SELECT value FROM meta WHERE key = 'store_log_backfilled'")
        ?.value ?? 0,
    ),
    counts: {
      sessions: count('SELECT count(*) FROM sessions'),
      sources: count('SELECT count(*) FROM sources'),
      licenses: count('SELECT count(*) FROM licenses'),
      samples: count('SELECT count(*) FROM samples'),
      observations: count('SELECT coalesce(sum(record_count), 0) FROM batches'),
      batches: count('SELECT count(*) FROM batches'),
      events: count('SELECT count(*) FROM events'),
    },
  };
}
