import { Args, Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { TraceReport, traceSample } from '../../core/samples/trace';
import { formatBytes, formatCount, keyValueLines } from '../../render/output';
import { makeTable } from '../../render/table';

/** Observations listed in the human output; --json lists them all. */
const SHOWN = 20;

export default class Trace extends OriginCommand<typeof Trace, TraceReport> {
  static override summary =
    'Show where one sample came from: sources, licenses, sessions, batches, positions, first seen.';
  static override description = [
    'SAMPLE is a fingerprint or a unique prefix of one (8+ hex characters). Instead, --text traces a text (its fingerprint is SHA-256 of the UTF-8 bytes) and --record a JSON record (SHA-256 of its RFC 8785 canonical form), exactly as ingest fingerprints them (SPEC.md §1). Exit 2 when no recorded sample matches, or a prefix matches several (they are listed).',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> trace 9f86d081884c7d65',
    {
      description: 'Was this text in the training data?',
      command: '<%= config.bin %> trace --text "hello world"',
    },
    {
      description: 'A whole JSONL record (key order and spacing do not matter):',
      command: `<%= config.bin %> trace --record '{"text":"hello","id":7}' --json`,
    },
  ];

  static override args = {
    sample: Args.string({ description: 'Fingerprint (64 hex) or a unique prefix (8+ hex).' }),
  };

  static override flags = {
    text: Flags.string({
      summary: 'Trace this text (UTF-8) instead of a fingerprint.',
      exclusive: ['record'],
    }),
    record: Flags.string({
      summary: 'Trace this JSON record (fingerprinted in RFC 8785 form).',
      exclusive: ['text'],
    }),
  };

  public async run(): Promise<TraceReport> {
    return this.withStore('read', (store) =>
      traceSample(store, {
        sample: this.args.sample,
        text: this.flags.text,
        record: this.flags.record,
      }),
    );
  }

  protected override render(report: TraceReport): string {
    const head = keyValueLines([
      ['Fingerprint', report.fingerprint],
      ['Size', formatBytes(report.size)],
      ['Observations', formatCount(report.observation_count)],
      ['Sessions', formatCount(report.sessions.length)],
      [
        'First seen',
        report.first_seen
          ? `${report.first_seen.at} in session ${report.first_seen.session_id} (started ${report.first_seen.session_started_at}), batch ${report.first_seen.batch_seq}`
          : 'never observed in a batch',
      ],
    ]);
    const origins = makeTable(['Source', 'License', 'Observations']);
    for (const o of report.origins)
      origins.push([o.source, o.license, formatCount(o.observations)]);
    const sessions = makeTable(['Session', 'Status', 'Started (UTC)', 'Observations', 'Batches']);
    for (const s of report.sessions)
      sessions.push([
        s.session_id,
        s.status,
        s.started_at,
        formatCount(s.observations),
        s.batches.join(', '),
      ]);
    const obs = makeTable(['Session', 'Batch', 'Position', 'In batch', 'Source', 'License']);
    for (const o of report.observations.slice(0, SHOWN))
      obs.push([o.session_id, o.batch_seq, o.position, o.batch_position, o.source, o.license]);
    const more =
      report.observations.length > SHOWN
        ? `\n… and ${formatCount(report.observations.length - SHOWN)} more observations (--json lists all)`
        : '';
    let models = '';
    if (report.models.length > 0) {
      const table = makeTable(['Model event', 'Hash', 'Time (UTC)', 'Details']);
      for (const m of report.models)
        table.push([m.type, m.hash.slice(0, 16), m.timestamp, m.summary]);
      models = `\n\nTrained or evaluated on sessions that contain it:\n${table.toString()}`;
    }
    return report.observation_count === 0
      ? head
      : `${head}\n\n${origins.toString()}\n\n${sessions.toString()}\n\n${obs.toString()}${more}${models}`;
  }
}
