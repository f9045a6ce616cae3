import { Flags } from '@oclif/core';
import { makeTable } from '../render/table';
import { OriginCommand } from '../base-command';
import { SessionSummary, summarizeSession } from '../core/sessions/inspect';
import { SESSION_STATUSES, SessionStatus, listSessions } from '../core/sessions/session';
import { formatBytes, formatCount } from '../render/output';

export default class Sessions extends OriginCommand<typeof Sessions, SessionSummary[]> {
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

  public async run(): Promise<SessionSummary[]> {
    return this.withStore('read', (store) =>
      listSessions(store, {
        limit: this.flags.limit,
        status: this.flags.status as SessionStatus | undefined,
      }).map((s) => summarizeSession(store, s)),
    );
  }

  protected override render(rows: SessionSummary[]): string {
    if (rows.length === 0) return 'No sessions yet. Record one with `origin ingest`.';
    const table = makeTable(['Session', 'Status', 'Started (UTC)', 'Records', 'Bytes', 'Root']);
    for (const s of rows) {
      table.push([
        s.session_id.slice(0, 12),
        s.status,
        s.started_at,
        formatCount(s.records),
        formatBytes(s.bytes),
        `${s.session_root.slice(0, 16)}…`,
      ]);
    }
    return table.toString();
  }
}
