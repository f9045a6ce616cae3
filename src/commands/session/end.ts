import { Args, Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { END_STATUSES, SessionStatus, endSession } from '../../core/sessions/session';

export default class SessionEnd extends OriginCommand<typeof SessionEnd> {
  static override summary = 'Close an open session; it then refuses further appends.';
  static override examples = [
    '<%= config.bin %> session end 3f9a1c',
    '<%= config.bin %> session end 3f9a1c --status failed',
  ];

  static override args = {
    id: Args.string({
      description: 'Session id or a unique prefix (6+ characters).',
      required: true,
    }),
  };

  static override flags = {
    status: Flags.string({
      summary: 'Final status.',
      options: [...END_STATUSES],
      default: 'completed',
    }),
  };

  public async run(): Promise<void> {
    const session = await this.withStore('write', (store) =>
      endSession(store, this.args.id, this.flags.status as SessionStatus),
    );
    this.output(
      {
        session_id: session.uid,
        status: session.status,
        ended_at: session.ended_at,
        records: session.record_count,
      },
      () =>
        `Session ${session.uid} ${session.status} at ${session.ended_at} with ${session.record_count} records.`,
    );
  }
}
