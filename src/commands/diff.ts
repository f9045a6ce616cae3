import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { OriginCommand } from '../base-command';
import { ExitCode, ExitCodeValue } from '../core/errors';
import { IntendedUse } from '../core/licenses';
import { ConflictEntry, projectTaxonomy } from '../core/licenses/report';
import {
  DIFF_FAIL_ON,
  DiffFailOn,
  LicenseChange,
  SourceChange,
  SessionDiff,
  diffSessions,
} from '../core/sessions/diff';
import { licenseFlags } from '../license-flags';
import { loadWaiversFile } from '../core/licenses/waivers/waivers';
import { formatBytes, formatCount } from '../render/output';
import { makeTable } from '../render/table';

export default class Diff extends OriginCommand<typeof Diff, SessionDiff> {
  static override summary =
    'Compare two sessions: samples shared and new, sources and licenses added or removed, and the license findings B adds.';
  static override description =
    'A is the session before, B the one after (e.g. the training set of the last model and of the next). Counts ' +
    'distinct samples in both, only in A and only in B; lists the sources and licenses B adds or drops with their ' +
    'records and bytes; and evaluates the license rules on both, listing the conflicts and warnings B has that A has ' +
    'not. With --fail-on, exit 4 when B adds a license (new-license) or a conflict (new-conflict); else 0.';
  static override examples = [
    '<%= config.bin %> diff 3f9a1c 7b2e4d',
    {
      description: 'In CI: fail when the new training set brings in a license conflict:',
      command:
        '<%= config.bin %> diff 3f9a1c 7b2e4d --fail-on new-conflict --json > dataset-diff.json',
    },
  ];

  static override args = {
    a: Args.string({ description: 'The session before (id or unique prefix).', required: true }),
    b: Args.string({ description: 'The session after (id or unique prefix).', required: true }),
  };

  static override flags = {
    'fail-on': Flags.string({
      summary: 'Exit 4 when B adds a license not in A, or a conflict A does not have.',
      options: [...DIFF_FAIL_ON],
      default: 'none',
    }),
    waivers: Flags.string({
      summary: 'YAML file of waivers (as for `conflicts`): a waived new conflict does not fail.',
    }),
    ...licenseFlags,
  };

  public async run(): Promise<SessionDiff> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    const waivers =
      this.flags.waivers !== undefined ? loadWaiversFile(this.flags.waivers, taxonomy) : [];
    return this.withStore('read', (store) =>
      diffSessions(store, taxonomy, this.args.a, this.args.b, {
        use: this.flags['intended-use'] as IntendedUse | undefined,
        failOn: this.flags['fail-on'] as DiffFailOn,
        waivers,
      }),
    );
  }

  protected override render(diff: SessionDiff): string {
    const { a, b, samples } = diff;
    const sides = makeTable(['', 'A', 'B']);
    sides.push(
      ['Session', a.session_id.slice(0, 12), b.session_id.slice(0, 12)],
      ['Records', formatCount(a.records), formatCount(b.records)],
      ['Bytes', formatBytes(a.bytes), formatBytes(b.bytes)],
      ['Distinct samples', formatCount(a.distinct_samples), formatCount(b.distinct_samples)],
      ['License', a.license, b.license],
      ['Conflicts', formatCount(a.conflicts), formatCount(b.conflicts)],
      ['Warnings', formatCount(a.warnings), formatCount(b.warnings)],
    );
    const lines = [
      sides.toString(),
      `Samples: ${formatCount(samples.shared)} shared, ${formatCount(samples.only_a)} only in A, ` +
        `${formatCount(samples.only_b)} only in B.`,
    ];
    const changed = (title: string, head: string[], rows: string[][]): void => {
      if (rows.length === 0) return;
      const table = makeTable(head);
      table.push(...rows);
      lines.push('', title, table.toString());
    };
    const sourceRows = (rows: SourceChange[]): string[][] =>
      rows.map((r) => [
        r.source,
        formatCount(r.records),
        formatBytes(r.bytes),
        r.licenses.join(', '),
      ]);
    const licenseRows = (rows: LicenseChange[]): string[][] =>
      rows.map((r) => [
        r.license,
        formatCount(r.records),
        formatBytes(r.bytes),
        r.sources.join(', '),
      ]);
    const sourceHead = ['Source', 'Records', 'Bytes', 'Licenses'];
    const licenseHead = ['License', 'Records', 'Bytes', 'Sources'];
    changed('Sources added in B:', sourceHead, sourceRows(diff.sources.added));
    changed('Sources removed (in A only):', sourceHead, sourceRows(diff.sources.removed));
    changed('Licenses added in B:', licenseHead, licenseRows(diff.licenses.added));
    changed('Licenses removed (in A only):', licenseHead, licenseRows(diff.licenses.removed));
    if (diff.sources.added.length + diff.sources.removed.length === 0)
      lines.push('', 'Sources: the same in both.');
    if (diff.licenses.added.length + diff.licenses.removed.length === 0)
      lines.push('Licenses: the same in both.');
    const { new_conflicts: conflicts, new_warnings: warnings, waived } = diff.analysis;
    lines.push(
      '',
      `License findings B adds (${diff.analysis.intended_use} use): ` +
        `${conflicts.length} conflict(s), ${warnings.length} warning(s)` +
        (waived.length > 0 ? `, ${waived.length} waived.` : '.'),
    );
    const show = (e: ConflictEntry): void => {
      const tag = e.waiver
        ? chalk.green('WAIVED  ')
        : e.severity === 'conflict'
          ? chalk.red('CONFLICT')
          : chalk.yellow('WARNING ');
      lines.push(`${tag} ${chalk.bold(e.licenses.join(' + '))}  [${e.rule}]`);
      lines.push(`         ${e.explanation}`);
      lines.push(`         sources: ${e.sources.join(', ')} (${formatCount(e.records)} records)`);
      if (e.waiver) lines.push(`         waived until ${e.waiver.expires}: ${e.waiver.reason}`);
      if (e.expired_waiver)
        lines.push(
          `         waiver expired on ${e.expired_waiver.expires}: ${e.expired_waiver.reason}`,
        );
    };
    conflicts.forEach(show);
    warnings.forEach(show);
    waived.forEach(show);
    if (diff.failed) lines.push(chalk.red(`Failed: --fail-on ${diff.fail_on} reached.`));
    return lines.join('\n');
  }

  protected override exitCode(diff: SessionDiff): ExitCodeValue | undefined {
    return diff.failed ? ExitCode.POLICY_FAILED : undefined;
  }
}
