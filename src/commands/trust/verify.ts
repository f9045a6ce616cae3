import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { OriginCommand } from '../../base-command';
import { ExitCode, ExitCodeValue } from '../../core/errors';
import { VerifyFailure, VerifyReport, verifyStore } from '../../core/verify';
import { formatCount } from '../../render/output';

export default class Verify extends OriginCommand<typeof Verify, VerifyReport> {
  static override summary =
    'Re-derive every root, count and reference from the stored data; exit 3 on any mismatch.';
  static override description = [
    "Like git fsck: nothing stored is trusted. Every batch root is recomputed from its fingerprints column, every session root and frontier from all of its observations in order, every origins root (SPEC §2.1) from the sources and licenses, every session head (SPEC §2.2) from the session's fields, every record and byte total from the observations and sample sizes; every reference is followed and SQLite's own integrity_check runs. Each failure names what broke, where (session, batch, position) and the expected (re-derived) vs found (stored) value.",
    'With --root, the session root must also equal a root known from outside (published, signed, in a model card): a database that was rewritten consistently still fails. Exit 0: everything holds; 3: a check failed; 1: the file cannot be read as an Origin database.',
  ].join('\n\n');

  static override examples = [
    {
      description: 'Check the whole database (CI reads the exit code):',
      command: '<%= config.bin %> verify',
    },
    {
      description: 'Check one session against the root published with the model:',
      command:
        '<%= config.bin %> verify --session 3f9a1c --root 9b4e0c1d5f2a7e8b3c6d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d',
    },
    {
      description:
        'Check one session against the head printed on its card: a rewrite of its licenses, totals, times or metadata fails too:',
      command:
        '<%= config.bin %> verify --session 3f9a1c --head 59f7e1e77c89361b19e7252dd73bd53541dcb81ce9c1a805399538a72850d25d',
    },
    {
      description:
        'Check that nothing sealed since a store head was noted (in CI, an attestation) was removed or rewritten:',
      command:
        '<%= config.bin %> verify --store-root b74c679ca8722448298edee7db12f4f2407df16b2dc54786df1a41e040538404 --store-size 2',
    },
    {
      description: 'Machine-readable report:',
      command: '<%= config.bin %> verify --json --path run.db',
    },
  ];

  static override flags = {
    session: Flags.string({ summary: 'Verify this session only (id or unique prefix).' }),
    root: Flags.string({
      summary: 'The session root as known from outside (64 hex); any other stored root fails.',
      dependsOn: ['session'],
    }),
    'store-root': Flags.string({
      summary:
        'The store head root as known from outside (64 hex, SPEC §2.4; `origin status` prints it): the store log’s first --store-size leaves must have it.',
      dependsOn: ['store-size'],
    }),
    'store-size': Flags.integer({
      summary: 'The store head tree size that goes with --store-root.',
      min: 0,
      dependsOn: ['store-root'],
    }),
    head: Flags.string({
      summary:
        'The session head as known from outside (64 hex, SPEC §2.2): the head re-derived from the session must equal it.',
      dependsOn: ['session'],
    }),
  };

  public async run(): Promise<VerifyReport> {
    return this.withStore('read', (store) =>
      verifyStore(store, {
        session: this.flags.session,
        root: this.flags.root,
        head: this.flags.head,
        storeRoot: this.flags['store-root'],
        storeSize: this.flags['store-size'],
      }),
    );
  }

  protected override render(report: VerifyReport): string {
    return renderReport(report);
  }

  protected override exitCode(report: VerifyReport): ExitCodeValue | undefined {
    return report.ok ? undefined : ExitCode.VERIFY_FAILED;
  }
}

function where(f: VerifyFailure): string {
  const parts: string[] = [];
  if (f.session_id !== undefined) parts.push(`session ${f.session_id}`);
  if (f.batch_seq !== undefined) parts.push(`batch ${f.batch_seq}`);
  if (f.position !== undefined) parts.push(`position ${f.position}`);
  return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}

function renderReport(report: VerifyReport): string {
  const scope = report.session_id
    ? `session ${report.session_id}`
    : `${formatCount(report.sessions)} session(s)`;
  const lines = [
    `Verified ${report.database}: ${scope}, ${formatCount(report.batches)} batch(es), ` +
      `${formatCount(report.observations)} observation(s), ${formatCount(report.samples)} sample(s)`,
    '',
  ];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const c of report.checks) {
    const mark = c.ok ? chalk.green('ok  ') : chalk.red('FAIL');
    const count = c.ok ? '' : ` (${formatCount(c.failures)} failure${c.failures === 1 ? '' : 's'})`;
    lines.push(`  ${mark} ${c.name.padEnd(width)}  ${c.description}${count}`);
  }
  for (const note of report.notes) lines.push('', `Note: ${note}`);
  if (report.ok) {
    lines.push('', chalk.green('All checks passed.'));
    return lines.join('\n');
  }
  lines.push(
    '',
    chalk.red(`Verification FAILED: ${formatCount(report.failure_count)} problem(s).`),
  );
  for (const f of report.failures) {
    lines.push(`  [${f.check}] ${where(f)}${f.message}`);
    if (f.expected !== undefined) lines.push(`      expected ${f.expected}`);
    if (f.found !== undefined) lines.push(`      found    ${f.found}`);
  }
  const listed = report.failures.length;
  if (listed < report.failure_count) {
    lines.push(`  … and ${formatCount(report.failure_count - listed)} more`);
  }
  return lines.join('\n');
}
