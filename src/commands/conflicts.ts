import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { OriginCommand } from '../base-command';
import { ExitCode, ExitCodeValue } from '../core/errors';
import {
  ConflictEntry,
  ConflictsReport,
  FailOn,
  conflictsReport,
  projectTaxonomy,
} from '../core/licenses/report';
import { IntendedUse } from '../core/licenses';
import { licenseFlags } from '../license-flags';
import { Baseline } from '../core/licenses/waivers/baseline';
import { loadWaiversFile } from '../core/licenses/waivers/waivers';
import { formatCount } from '../render/output';

export default class Conflicts extends OriginCommand<typeof Conflicts, ConflictsReport> {
  static override summary =
    'List license conflicts and warnings in recorded sessions; exit 4 when --fail-on is reached.';
  static override description =
    'Evaluates the rules of the license taxonomy (licenses.yaml plus the project overlay) over the licenses recorded in ' +
    'each session (or one --session), with the counts kept at ingest. Every finding names the session, the licenses, the ' +
    'rule id, its severity, the explanation, and the sources and record counts involved. A finding a waiver accepts ' +
    "(the overlay's `waivers:` or --waivers FILE) is listed as waived with its reason and does not count; a waiver " +
    'past its expiry day stops waiving and the finding says so. With --baseline (an earlier `conflicts --json`), only ' +
    'findings the baseline did not have count. Exit 4 when a counted finding at the --fail-on level exists, 0 ' +
    'otherwise. Origin flags combinations for human review; it is not legal advice.';
  static override examples = [
    '<%= config.bin %> conflicts',
    '<%= config.bin %> conflicts --session 3f9a1c --intended-use research',
    '<%= config.bin %> conflicts --fail-on warning --json > license-report.json',
    {
      description: 'In CI: accept the reviewed findings, fail only on new ones:',
      command: '<%= config.bin %> conflicts --waivers waivers.yaml --baseline license-report.json',
    },
  ];

  static override flags = {
    session: Flags.string({
      summary: 'Only this session (id or unique prefix). Default: every session.',
    }),
    'fail-on': Flags.string({
      summary: 'Exit 4 when findings of this level exist.',
      options: ['conflict', 'warning', 'none'],
      default: 'conflict',
    }),
    waivers: Flags.string({
      summary:
        'YAML file of waivers (a `waivers:` list, as in the overlay): rule, license and/or source, reason, expires.',
    }),
    baseline: Flags.string({
      summary:
        'An earlier `origin conflicts --json` output: exit 4 only on findings it does not have.',
    }),
    ...licenseFlags,
  };

  public async run(): Promise<ConflictsReport> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    const waivers =
      this.flags.waivers !== undefined ? loadWaiversFile(this.flags.waivers, taxonomy) : [];
    const baseline =
      this.flags.baseline !== undefined ? Baseline.load(this.flags.baseline) : undefined;
    return this.withStore('read', (store) =>
      conflictsReport(store, taxonomy, {
        session: this.flags.session,
        use: this.flags['intended-use'] as IntendedUse | undefined,
        failOn: this.flags['fail-on'] as FailOn,
        waivers,
        baseline,
      }),
    );
  }

  protected override render(report: ConflictsReport): string {
    const lines: string[] = [];
    const show = (e: ConflictEntry): void => {
      const tag = e.waiver
        ? chalk.green('WAIVED  ')
        : e.severity === 'conflict'
          ? chalk.red('CONFLICT')
          : chalk.yellow('WARNING ');
      const known = e.in_baseline ? chalk.dim('  (in the baseline)') : '';
      lines.push(
        `${tag} ${chalk.bold(e.licenses.join(' + '))}  [${e.rule}]  session ${e.session_id.slice(0, 12)}${known}`,
      );
      if (e.waiver) {
        lines.push(
          `         waived until ${e.waiver.expires}: ${e.waiver.reason} (${e.waiver.defined_at})`,
        );
      }
      if (e.expired_waiver) {
        lines.push(
          `         ${chalk.yellow(`waiver expired on ${e.expired_waiver.expires}`)} (${e.expired_waiver.defined_at}): ${e.expired_waiver.reason}`,
        );
      }
      lines.push(`         ${e.explanation}`);
      const involved = e.involved
        .map((i) => `${i.license}: ${i.sources.join(', ')} (${formatCount(i.records)} records)`)
        .join('; ');
      lines.push(`         involved: ${involved}`);
      if (e.hint) lines.push(`         ${chalk.dim(`hint: ${e.hint}`)}`);
    };
    report.conflicts.forEach(show);
    report.warnings.forEach(show);
    report.waived.forEach(show);
    for (const n of report.notes)
      lines.push(`${chalk.yellow('NOTE    ')} session ${n.session_id.slice(0, 12)}: ${n.note}`);
    lines.push(
      `${report.sessions.length} session(s) checked for ${report.intended_use} use: ` +
        `${report.conflicts.length} conflict(s), ${report.warnings.length} warning(s)` +
        (report.waived.length > 0 ? `, ${report.waived.length} waived` : '') +
        '.',
    );
    if (report.baseline) {
      lines.push(
        `New since the baseline ${report.baseline.file}: ${report.baseline.new_conflicts} conflict(s), ` +
          `${report.baseline.new_warnings} warning(s).`,
      );
    }
    for (const s of report.sessions) {
      lines.push(
        `  ${s.session_id.slice(0, 12)}  ${s.license}  (${s.use_category}, ${formatCount(s.records)} records)`,
      );
    }
    lines.push('Origin flags license combinations for human review; it is not legal advice.');
    return lines.join('\n');
  }

  protected override exitCode(report: ConflictsReport): ExitCodeValue | undefined {
    return report.failed ? ExitCode.POLICY_FAILED : undefined;
  }
}
