import { Flags } from '@oclif/core';
import { makeTable } from '../render/table';
import { OriginCommand } from '../base-command';
import { SessionSummary, summarizeSession } from '../core/sessions/inspect';
import { sessionsWithDeadWriters } from '../core/sessions/writers';
import { SESSION_STATUSES, SessionStatus, listSessions } from '../core/sessions/session';
import { formatBytes, formatCount } from '../render/output';

/** A listed session, and whether an ingest writing into it died (it stays open until ended). */
type ListedSession = SessionSummary & { writer_died: boolean };

export default class Sessions extends OriginCommand<typeof Sessions, ListedSession[]> {
  static override summary = 'List sessions, newest first.';
  static override examples = [
    '<%= config.bin %> sessions',
    '<%= config.bin %> sessions --status open --limit 5',
    "<%= config.bin %> sessions --json | jq -r '.[0].session_id'",
  ];

  static override flags = {
    limit: Flags.integer({ summary: 'Show at most this many sessions.', min: 0 }),
    status: Flags.string({
      summary: 'Only sessions with this status.',
      options: [...SESSION_STATUSES],
    }),
  };

  public async run(): Promise<ListedSession[]> {
    return this.withStore('read', (store) => {
      const died = sessionsWithDeadWriters(store);
      return listSessions(store, {
        limit: this.flags.limit,
        status: this.flags.status as SessionStatus | undefined,
      }).map((s) => ({ ...summarizeSession(store, s), writer_died: died.has(s.id) }));
    });
  }

  protected override render(rows: ListedSession[]): string {
    if (rows.length === 0) return 'No sessions yet. Record one with `origin ingest`.';
    const table = makeTable(['Session', 'Status', 'Started (UTC)', 'Records', 'Bytes', 'Root']);
    for (const s of rows) {
      table.push([
        s.session_id.slice(0, 12),
        s.writer_died ? `${s.status} (writer died)` : s.status,
        s.started_at,
        formatCount(s.records),
        formatBytes(s.bytes),
        `${s.session_root.slice(0, 16)}…`,
      ]);
    }
    return table.toString();
  }
}
