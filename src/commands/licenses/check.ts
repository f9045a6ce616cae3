import { Args } from '@oclif/core';
import chalk from 'chalk';
import { OriginCommand } from '../../base-command';
import { ExitCode, ExitCodeValue } from '../../core/errors';
import { projectTaxonomy } from '../../core/licenses/report';
import { CompatibilityReport, IntendedUse, checkCompatibility } from '../../core/licenses';
import { licenseFlags } from '../../license-flags';

export default class LicensesCheck extends OriginCommand<
  typeof LicensesCheck,
  CompatibilityReport
> {
  static override summary =
    'Can these licenses be combined in one training set? Explains why; exit 4 on a conflict.';
  static override examples = [
    '<%= config.bin %> licenses check MIT Apache-2.0',
    '<%= config.bin %> licenses check GPL-2.0-only GPL-3.0-only',
    '<%= config.bin %> licenses check "MIT OR GPL-3.0-only" LicenseRef-Proprietary --json',
  ];

  static override strict = false;
  static override args = {
    expr: Args.string({
      description: 'License expressions (two or more to combine).',
      required: true,
      ignoreStdin: true,
    }),
  };
  static override flags = { ...licenseFlags };

  public async run(): Promise<CompatibilityReport> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    return checkCompatibility(taxonomy, this.argvList, {
      use: this.flags['intended-use'] as IntendedUse | undefined,
    });
  }

  protected override render(report: CompatibilityReport): string {
    const lines = [
      report.compatible
        ? chalk.green(
            `Compatible for ${report.use} use: ${report.licenses.map((l) => l.key).join(' + ')}`,
          )
        : chalk.red(`Not compatible for ${report.use} use.`),
    ];
    for (const c of report.choices)
      lines.push(`  ${c.expression}: picked ${c.picked} (${c.reason})`);
    for (const f of report.conflicts)
      lines.push(`${chalk.red('CONFLICT')} [${f.rule}] ${f.licenses.join(' + ')}: ${f.message}`);
    for (const f of report.warnings)
      lines.push(`${chalk.yellow('WARNING ')} [${f.rule}] ${f.licenses.join(' + ')}: ${f.message}`);
    const conditions = [...new Set(report.licenses.flatMap((l) => [...l.conditions]))];
    if (conditions.length) lines.push(`Conditions to meet: ${conditions.join(', ')}`);
    lines.push('Origin flags license combinations for human review; it is not legal advice.');
    return lines.join('\n');
  }

  protected override exitCode(report: CompatibilityReport): ExitCodeValue | undefined {
    return report.compatible ? undefined : ExitCode.POLICY_FAILED;
  }
}
