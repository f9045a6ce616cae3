import { Args, Flags } from '@oclif/core';
import { makeTable } from '../render/table';
import { OriginCommand } from '../base-command';
import { SessionReport, inspectSession } from '../core/sessions/inspect';
import { describeWriter, formatBytes, formatCount, keyValueLines } from '../render/output';

export default class Inspect extends OriginCommand<typeof Inspect, SessionReport> {
  static override summary =
    'Show one session: status, times, config hash, counts, root, sources and licenses.';
  static override examples = [
    '<%= config.bin %> inspect 3f9a1c',
    '<%= config.bin %> inspect 3f9a1c --batches --json',
  ];

  static override args = {
    id: Args.string({
      description: 'Session id or a unique prefix (6+ characters).',
      required: true,
    }),
  };

  static override flags = {
    batches: Flags.boolean({
      summary: 'Also list every batch with its position, size and Merkle root.',
      default: false,
    }),
  };

  public async run(): Promise<SessionReport> {
    return this.withStore('read', (store) =>
      inspectSession(store, this.args.id, this.flags.batches),
    );
  }

  protected override render(report: SessionReport): string {
    const meta = Object.entries(report.metadata)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const head = keyValueLines([
      ['Session', report.session_id],
      ['Status', report.status],
      ['Started', report.started_at],
      ['Ended', report.ended_at ?? '—'],
      ['Config hash', report.config_hash ?? '—'],
      ['Metadata', meta || '—'],
      ['Records', formatCount(report.records)],
      ['Distinct samples', formatCount(report.distinct_samples)],
      ['Bytes', formatBytes(report.bytes)],
      ['Skipped lines', formatCount(report.skipped)],
      ['Batches', formatCount(report.batches)],
      ['Session root', report.session_root],
      ['Origins root', report.origins_root],
      ['Session head', report.session_head],
      ...report.writers.map((w): [string, string] => [
        'Writer',
        describeWriter(w, report.session_id),
      ]),
    ]);
    const sources = makeTable(['Source', 'License', 'Records', 'Bytes']);
    for (const s of report.sources)
      sources.push([s.source, s.license, formatCount(s.records), formatBytes(s.bytes)]);
    let text = `${head}\n\n${sources.toString()}`;
    if (report.batch_list) {
      const batches = makeTable(['Batch', 'First position', 'Records', 'Bytes', 'Root']);
      for (const b of report.batch_list)
        batches.push([
          b.seq,
          b.first_position,
          formatCount(b.records),
          formatBytes(b.bytes),
          b.root,
        ]);
      text += `\n\n${batches.toString()}`;
    }
    return text;
  }
}
