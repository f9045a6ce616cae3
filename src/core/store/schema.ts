/**
 * The store's schema, as numbered migrations. Migration N brings a database from
 * `user_version` N-1 to N; never edit a released migration, add the next one.
 *
 * Observations are stored columnar inside their batch (fingerprints as 32-byte runs, origins as
 * run-length varints) rather than one row each: that keeps a recorded sample under 100 bytes and
 * turns one SQL row per observation into one row per batch.
 */

import type { Store } from './store';
import { deriveOriginsRoots } from '../sessions/origins-root';
import { deriveHeads } from '../sessions/head';
import { backfillStoreLog } from '../store-log';

/**
 * One schema step: SQL, and a step that derives new columns from the data (run after the SQL,
 * inside the same transaction).
 */
export interface Migration {
  sql: string;
  derive?: (store: Store) => void;
}

/** `PRAGMA application_id` of every Origin database: "ORGN". */
export const APPLICATION_ID = 0x4f52474e;

export const MIGRATIONS: readonly Migration[] = [
  // 1: the whole mission's tables.
  {
    sql: `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,          -- public id: 32 lowercase hex characters
    status        TEXT NOT NULL CHECK (status IN ('open', 'completed', 'failed', 'interrupted')),
    started_at    TEXT NOT NULL,                 -- RFC 3339 UTC, milliseconds
    ended_at      TEXT,
    config_hash   TEXT,                          -- SHA-256 hex of the training config, if given
    metadata      TEXT NOT NULL DEFAULT '{}',    -- JSON object from --meta key=value
    record_count  INTEGER NOT NULL DEFAULT 0,    -- observations (= leaves of the session tree)
    byte_count    INTEGER NOT NULL DEFAULT 0,    -- content bytes of those observations
    skipped_count INTEGER NOT NULL DEFAULT 0,    -- invalid input lines skipped with --skip-invalid
    frontier      BLOB NOT NULL DEFAULT x'',     -- RFC 6962 compact range of the session tree
    root          BLOB NOT NULL,                 -- MTH of every observation, in order
    origins_digest BLOB NOT NULL DEFAULT x''     -- v1: SHA-256 over every observation's source and license (dropped by 4)
  );

  CREATE TABLE sources (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );

  CREATE TABLE licenses (
    id         INTEGER PRIMARY KEY,
    expression TEXT NOT NULL UNIQUE               -- SPDX expression as recorded, or 'unknown'
  );

  -- One (source, license) pair; observations point at these by id.
  CREATE TABLE origins (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources (id),
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    UNIQUE (source_id, license_id)
  );

  -- Content-addressed: one row per distinct content.
  CREATE TABLE samples (
    fingerprint BLOB PRIMARY KEY,                -- SHA-256 of the content bytes (32 bytes)
    size        INTEGER NOT NULL                 -- content bytes
  ) WITHOUT ROWID;

  -- A batch and its observations: fingerprints[i] and the i-th origin are observation
  -- first_position + i of the session.
  CREATE TABLE batches (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL REFERENCES sessions (id),
    seq            INTEGER NOT NULL,             -- 0-based batch number within the session
    first_position INTEGER NOT NULL,             -- session position of the first observation
    record_count   INTEGER NOT NULL CHECK (record_count > 0),
    byte_count     INTEGER NOT NULL,
    root           BLOB NOT NULL,                -- MTH of the batch's fingerprints
    fingerprints   BLOB NOT NULL,                -- record_count x 32 bytes
    origins        BLOB NOT NULL,                -- varint pairs (origin id, run length)
    created_at     TEXT NOT NULL,
    UNIQUE (session_id, seq)
  );

  -- Per-session totals by origin, kept at ingest so license work never scans observations.
  CREATE TABLE session_origins (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    origin_id  INTEGER NOT NULL REFERENCES origins (id),
    records    INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    PRIMARY KEY (session_id, origin_id)
  ) WITHOUT ROWID;

  -- Model lifecycle events (SPEC.md §3): a hash-linked DAG.
  CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,             -- SHA-256 of the event's JCS form
    type       TEXT NOT NULL,
    timestamp  TEXT NOT NULL,                    -- RFC 3339 UTC, milliseconds
    payload    TEXT NOT NULL,                    -- JCS of the payload object
    session_id INTEGER REFERENCES sessions (id)  -- a dataset event's session, if any
  );

  CREATE TABLE event_parents (
    child_id  INTEGER NOT NULL REFERENCES events (id),
    parent_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (child_id, parent_id)
  ) WITHOUT ROWID;

  -- License taxonomy overlays recorded with the data they judged.
  CREATE TABLE license_overlays (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    sha256   TEXT NOT NULL UNIQUE,
    content  TEXT NOT NULL,
    added_at TEXT NOT NULL
  );
  `,
  },
  // 2: each observation's content bytes beside its fingerprint, so a session's observations can
  // be listed with their sizes in one pass over its batches (NULL in batches recorded before).
  {
    sql: `
  ALTER TABLE batches ADD COLUMN sizes BLOB;     -- record_count unsigned LEB128 varints
  `,
  },
  // 3: the ingests writing into a session, from their first checkpoint to their last, so that a
  // session whose writer died can be told from one whose writer is still at work.
  {
    sql: `
  CREATE TABLE session_writers (
    session_id      INTEGER NOT NULL REFERENCES sessions (id),
    host            TEXT NOT NULL,
    pid             INTEGER NOT NULL,
    process_started TEXT,                        -- the OS's start time of the process (pid reuse)
    since           TEXT NOT NULL,               -- its first checkpoint
    checkpoint_at   TEXT NOT NULL,               -- its latest one
    PRIMARY KEY (session_id, host, pid)
  ) WITHOUT ROWID;
  `,
  },
  // 4: the origins root (SPEC.md §2.1), an RFC 6962 tree over every observation's source and
  // license, replaces the origins digest; computed here for the sessions already recorded.
  {
    sql: `
  ALTER TABLE sessions ADD COLUMN origins_frontier BLOB NOT NULL DEFAULT x'';  -- compact range of the origins tree
  ALTER TABLE sessions ADD COLUMN origins_root BLOB NOT NULL DEFAULT x'';      -- MTH of every observation's origin leaf
  ALTER TABLE sessions DROP COLUMN origins_digest;
  `,
    derive: deriveOriginsRoots,
  },
  // 5: the session head (SPEC.md §2.2), a hash over every claim about the session, kept current
  // at every commit; computed here for the sessions already recorded.
  {
    sql: `
  ALTER TABLE sessions ADD COLUMN head BLOB NOT NULL DEFAULT x'';  -- SHA-256 of the JCS head document
  `,
    derive: deriveHeads,
  },
  // 6: the store log (SPEC.md §2.4): the heads of ended sessions and the lineage event hashes, in
  // the order they were sealed; back-filled here for the sessions and events already recorded.
  {
    sql: `
  CREATE TABLE store_log (
    position   INTEGER PRIMARY KEY,                 -- 0-based leaf index
    leaf       BLOB NOT NULL,                       -- the 32-byte session head or event hash
    session_id INTEGER UNIQUE REFERENCES sessions (id),
    event_id   INTEGER UNIQUE REFERENCES events (id),
    CHECK ((session_id IS NULL) <> (event_id IS NULL))
  );
  `,
    derive: backfillStoreLog,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Tables every Origin database of the current schema has. */
export const REQUIRED_TABLES = [
  'meta',
  'sessions',
  'sources',
  'licenses',
  'origins',
  'samples',
  'batches',
  'session_origins',
  'events',
  'event_parents',
  'license_overlays',
  'session_writers',
  'store_log',
] as const;
