import { Args, Flags } from '@oclif/core';
import { OriginCommand } from '../base-command';
import { ExitCode, ExitCodeValue } from '../core/errors';
import { QueryReport, projectTaxonomy, queryLicense } from '../core/licenses/report';
import { formatBytes, formatCount, keyValueLines } from '../render/output';
import { makeTable } from '../render/table';
import { licenseFlags } from '../license-flags';

export default class Query extends OriginCommand<typeof Query, QueryReport> {
  static override summary =
    'Find the samples, sources and sessions recorded under a license; exit 2 when there are none.';
  static override description =
    'Every recorded license expression that names one of the licenses in EXPR matches (MIT matches "MIT OR Apache-2.0"). ' +
    'Ids are normalised first, so cc-by-4.0 finds CC-BY-4.0.';
  static override examples = [
    '<%= config.bin %> query CC-BY-NC-4.0',
    '<%= config.bin %> query "GPL-3.0-only" --session 3f9a1c --json',
  ];

  static override args = {
    expr: Args.string({ description: 'SPDX license expression or id.', required: true }),
  };

  static override flags = {
    session: Flags.string({ summary: 'Only this session (id or unique prefix).' }),
    licenses: licenseFlags.licenses,
  };

  public async run(): Promise<QueryReport> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    return this.withStore('read', (store) =>
      queryLicense(store, taxonomy, this.args.expr, this.flags.session),
    );
  }

  protected override render(report: QueryReport): string {
    if (report.records === 0) return `Nothing recorded under ${report.licenses.join(', ')}.`;
    const sources = makeTable(['Source', 'Recorded license', 'Records', 'Bytes']);
    for (const s of report.sources)
      sources.push([s.source, s.license, formatCount(s.records), formatBytes(s.bytes)]);
    return `${keyValueLines([
      ['License', report.licenses.join(', ')],
      ['Samples', `${formatCount(report.samples)} distinct`],
      ['Records', formatCount(report.records)],
      ['Bytes', formatBytes(report.bytes)],
      [
        'Sessions',
        report.sessions.map((s) => `${s.session_id} (${formatCount(s.records)})`).join(', '),
      ],
    ])}\n\n${sources.toString()}`;
  }

  /** Nothing recorded under the license: exit 2, as for any lookup that finds nothing. */
  protected override exitCode(report: QueryReport): ExitCodeValue | undefined {
    return report.records === 0 ? ExitCode.USAGE : undefined;
  }
}
