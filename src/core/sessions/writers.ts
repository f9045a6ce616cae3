/**
 * Which ingests are writing into a session: each one notes itself at every checkpoint and
 * removes itself at its last commit. A note left by a process that is gone names a writer that
 * died: its session stays open until `origin session end ID --status interrupted` closes it.
 */
import { hostname } from 'node:os';
import { currentWriter, holderAlive } from '../store/lock';
import { Store } from '../store/store';
import { nowUtc } from '../time';

export interface SessionWriter {
  host: string;
  pid: number;
  since: string;
  checkpoint_at: string;
  /** true: running; false: died (checked on this host); null: on another host, unknown. */
  alive: boolean | null;
}

/** Notes (or refreshes) this process as a writer of the session, inside a commit. */
export function noteWriter(store: Store, sessionId: number): void {
  const me = currentWriter();
  const now = nowUtc();
  store.run(
    `INSERT INTO session_writers (session_id, host, pid, process_started, since, checkpoint_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (session_id, host, pid) DO UPDATE SET
       process_started = excluded.process_started, checkpoint_at = excluded.checkpoint_at`,
    [sessionId, me.host, me.pid, me.started, now, now],
  );
}

/** Removes this process's note from the session, inside a commit. */
export function forgetWriter(store: Store, sessionId: number): void {
  const me = currentWriter();
  store.run('DELETE FROM session_writers WHERE session_id = ? AND host = ? AND pid = ?', [
    sessionId,
    me.host,
    me.pid,
  ]);
}

/** Removes every writer note of a session (it has ended). */
export function forgetAllWriters(store: Store, sessionId: number): void {
  store.run('DELETE FROM session_writers WHERE session_id = ?', [sessionId]);
}

/** The writers noted for a session, each with whether it still runs. */
export function sessionWriters(store: Store, sessionId: number): SessionWriter[] {
  const rows = store.all<{
    host: string;
    pid: number;
    process_started: string | null;
    since: string;
    checkpoint_at: string;
  }>(
    'SELECT host, pid, process_started, since, checkpoint_at FROM session_writers WHERE session_id = ? ORDER BY since, host, pid',
    [sessionId],
  );
  const here = hostname();
  return rows.map((r) => ({
    host: r.host,
    pid: r.pid,
    since: r.since,
    checkpoint_at: r.checkpoint_at,
    alive: r.host === here ? holderAlive({ pid: r.pid, started: r.process_started }) : null,
  }));
}

/** Sessions with a writer noted that died on this host: internal id → session id. */
export function sessionsWithDeadWriters(store: Store): Map<number, string> {
  const dead = new Map<number, string>();
  for (const r of store.all<{
    session_id: number;
    uid: string;
    pid: number;
    process_started: string | null;
  }>(
    `SELECT w.session_id, s.uid, w.pid, w.process_started
       FROM session_writers w JOIN sessions s ON s.id = w.session_id WHERE w.host = ?`,
    [hostname()],
  )) {
    if (!holderAlive({ pid: r.pid, started: r.process_started })) dead.set(r.session_id, r.uid);
  }
  return dead;
}
