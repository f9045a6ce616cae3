import { Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { hashConfigFile, normalizeConfigHash } from '../../core/sessions/config-hash';
import { SessionStatus, createSession } from '../../core/sessions/session';
import { parseKeyValues } from '../../key-values';

interface StartedSession {
  session_id: string;
  status: SessionStatus;
  started_at: string;
  config_hash: string | null;
  metadata: Record<string, string>;
}

export default class SessionStart extends OriginCommand<typeof SessionStart, StartedSession> {
  static override summary = 'Start a session that later ingests append to; prints its id.';
  static override description =
    'Creates an open session. Pass its id to `origin ingest --session ID` (as many times as needed) and close it ' +
    'with `origin session end ID`. The training config can be recorded by its SHA-256 (--config FILE hashes the file).';
  static override examples = [
    'SESSION=$(<%= config.bin %> session start --config train.yaml --meta model=llama-ft --meta team=nlp)',
    '<%= config.bin %> session start --config-hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --json',
  ];

  static override flags = {
    config: Flags.string({
      summary: 'Training config file; its SHA-256 is recorded as the config hash.',
      exclusive: ['config-hash'],
    }),
    'config-hash': Flags.string({
      summary: 'The config hash itself (64 hex characters).',
      exclusive: ['config'],
    }),
    meta: Flags.string({
      summary: 'Metadata key=value (repeatable).',
      multiple: true,
      default: [],
    }),
  };

  public async run(): Promise<undefined> {
    const { flags } = this;
    const configHash = flags.config
      ? hashConfigFile(flags.config)
      : flags['config-hash']
        ? normalizeConfigHash(flags['config-hash'])
        : undefined;
    const metadata = parseKeyValues(flags.meta, '--meta');
    // The id is printed before the session is saved: a session nobody learnt the id of is not kept.
    await this.withStore('create', (store) => {
      const session = createSession(store, { configHash, metadata });
      this.printNow({
        session_id: session.uid,
        status: session.status,
        started_at: session.started_at,
        config_hash: session.config_hash,
        metadata,
      });
    });
    return undefined;
  }

  /** Only the id, so that `$(origin session start)` captures it. */
  protected override render(session: StartedSession): string {
    return session.session_id;
  }
}
