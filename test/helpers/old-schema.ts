/**
 * SQL that gives a database of the current schema the layout of an older one, so that upgrade
 * tests start from the same data in the old layout. Each step undoes one migration, newest first.
 */
export const TO_SCHEMA_5 = `
  DROP TABLE store_log;
  DELETE FROM meta WHERE key = 'store_log_backfilled';
  PRAGMA user_version = 5;
`;

export const TO_SCHEMA_4 = `${TO_SCHEMA_5}
  ALTER TABLE sessions DROP COLUMN head;
  PRAGMA user_version = 4;
`;

export const TO_SCHEMA_3 = `${TO_SCHEMA_4}
  ALTER TABLE sessions DROP COLUMN origins_root;
  ALTER TABLE sessions DROP COLUMN origins_frontier;
  ALTER TABLE sessions ADD COLUMN origins_digest BLOB NOT NULL DEFAULT x'';
  PRAGMA user_version = 3;
`;

export const TO_SCHEMA_1 = `${TO_SCHEMA_3}
  ALTER TABLE batches DROP COLUMN sizes;
  DROP TABLE session_writers;
  PRAGMA user_version = 1;
`;
