import { randomBytes } from 'node:crypto';
import { StoreError, UsageError } from '../errors';
import { CompactRange, EMPTY_ROOT } from '../merkle';
import { PrefixLookup, findByPrefix } from '../store/prefix';
import { Store } from '../store/store';
import { nowUtc } from '../time';
import { forgetAllWriters, sessionWriters } from './writers';
import { refreshHead } from './head';
import { sealSession } from '../store-log';

export const SESSION_STATUSES = ['open', 'completed', 'failed', 'interrupted'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const END_STATUSES = ['completed', 'failed', 'interrupted'] as const;

export interface SessionRow {
  id: number;
  uid: string;
  status: SessionStatus;
  started_at: string;
  ended_at: string | null;
  config_hash: string | null;
  metadata: string;
  record_count: number;
  byte_count: number;
  skipped_count: number;
  frontier: Uint8Array;
  root: Uint8Array;
  origins_frontier: Uint8Array;
  origins_root: Uint8Array;
  /** SPEC §2.2: SHA-256 of the JCS head document (head.ts). */
  head: Uint8Array;
}

export interface NewSession {
  /** The id to give it (32 hex characters); a random one by default. */
  uid?: string;
  configHash?: string;
  metadata?: Record<string, string>;
}

/** Starts a session; returns its row. */
export function createSession(store: Store, options: NewSession = {}): SessionRow {
  const uid = options.uid ?? randomBytes(16).toString('hex');
  store.run(
    `INSERT INTO sessions (uid, status, started_at, config_hash, metadata, root, origins_root)
     VALUES (?, 'open', ?, ?, ?, ?, ?)`,
    [
      uid,
      nowUtc(),
      options.configHash ?? null,
      JSON.stringify(options.metadata ?? {}),
      EMPTY_ROOT,
      EMPTY_ROOT,
    ],
  );
  refreshHead(store, Number(store.scalar('SELECT id FROM sessions WHERE uid = ?', [uid])));
  store.markChanged();
  return getSession(store, uid);
}

const MIN_PREFIX = 6;
const LIST_HINT = 'list sessions with `origin sessions`';

const BY_ID: PrefixLookup<SessionRow> = {
  table: 'sessions',
  column: 'uid',
  storage: 'text',
  minLength: MIN_PREFIX,
  invalid: (ref) => new UsageError(`"${ref}" is not a session id (ids are hexadecimal)`, LIST_HINT),
  tooShort: (ref) =>
    new UsageError(
      `session id prefix "${ref}" is too short`,
      `give at least ${MIN_PREFIX} characters; ${LIST_HINT}`,
    ),
  notFound: (ref) => new UsageError(`no session matches "${ref}"`, LIST_HINT),
  ambiguous: {
    subject: (ref) => `session id prefix "${ref}"`,
    candidate: (r) => `${r.uid}  ${r.status}  ${r.started_at}`,
    hint: 'give more characters of the id',
  },
};

/** Finds a session by its full id or a unique prefix of at least 6 characters (SPEC.md §5). */
export function getSession(store: Store, idOrPrefix: string): SessionRow {
  return findByPrefix(store, BY_ID, idOrPrefix);
}

/** Refuses appends to a session that has ended (exit 2). */
export function assertOpen(session: SessionRow): void {
  if (session.status !== 'open') {
    throw new UsageError(
      `session ${session.uid} is ${session.status}; an ended session takes no more records`,
      'start a new session (omit --session, or run `origin session start`)',
    );
  }
}

export function sessionRange(session: SessionRow): CompactRange {
  return frontierOf(session, session.frontier, 'frontier');
}

/** The compact range of the session's origins tree (SPEC §2.1), to append to. */
export function originsRange(session: SessionRow): CompactRange {
  return frontierOf(session, session.origins_frontier, 'origins frontier');
}

function frontierOf(session: SessionRow, bytes: Uint8Array, what: string): CompactRange {
  try {
    return CompactRange.deserialize(session.record_count, bytes);
  } catch (err) {
    throw new StoreError(
      `session ${session.uid} has a damaged ${what}: ${(err as Error).message}`,
      'run `origin verify`',
    );
  }
}

/**
 * Ends an open session with a final status. Refused while an ingest on this host is still
 * writing into it; the notes of writers that died are removed.
 */
export function endSession(store: Store, idOrPrefix: string, status: SessionStatus): SessionRow {
  const session = getSession(store, idOrPrefix);
  assertOpen(session);
  const running = sessionWriters(store, session.id).find((w) => w.alive === true);
  if (running) {
    throw new UsageError(
      `session ${session.uid} is still being written by an ingest (pid ${running.pid} on ${running.host})`,
      'let it finish, or stop it (Ctrl-C or SIGTERM records what it read and marks the session interrupted)',
    );
  }
  forgetAllWriters(store, session.id);
  store.run('UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?', [
    status,
    nowUtc(),
    session.id,
  ]);
  sealSession(store, session.id, refreshHead(store, session.id));
  store.markChanged();
  return getSession(store, session.uid);
}

export interface SessionFilter {
  limit?: number;
  status?: SessionStatus;
}

/** Sessions, newest first. */
export function listSessions(store: Store, filter: SessionFilter = {}): SessionRow[] {
  const where = filter.status ? 'WHERE status = ?' : '';
  const params: (string | number)[] = filter.status ? [filter.status] : [];
  const limit = filter.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
  return store.all<SessionRow>(
    `SELECT * FROM sessions ${where} ORDER BY started_at DESC, id DESC ${limit}`,
    params,
  );
}
