import { Args, Flags } from '@oclif/core';
import { OriginCommand, Rendering, notice } from '../../base-command';
import { END_STATUSES, SessionStatus, endSession } from '../../core/sessions/session';

interface EndedSession {
  session_id: string;
  status: SessionStatus;
  ended_at: string | null;
  records: number;
  session_head: string;
}

export default class SessionEnd extends OriginCommand<typeof SessionEnd, EndedSession> {
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

  public async run(): Promise<EndedSession> {
    const session = await this.withStore('write', (store) =>
      endSession(store, this.args.id, this.flags.status as SessionStatus),
    );
    return {
      session_id: session.uid,
      status: session.status,
      ended_at: session.ended_at,
      records: session.record_count,
      session_head: Buffer.from(session.head).toString('hex'),
    };
  }

  protected override render(s: EndedSession): Rendering {
    return notice(
      `Session ${s.session_id} ${s.status} at ${s.ended_at} with ${s.records} records; session head ${s.session_head}.`,
    );
  }
}
