import { Args } from '@oclif/core';
import chalk from 'chalk';
import { OriginCommand } from '../../base-command';
import { ExitCode, ExitCodeValue } from '../../core/errors';
import { LineageFailure, resolveEventHash, verifyLineage } from '../../core/lineage';
import { renderFailures } from '../../render/lineage';

interface LineageCheck {
  ok: boolean;
  checked: number;
  failures: LineageFailure[];
}

export default class LineageVerify extends OriginCommand<typeof LineageVerify, LineageCheck> {
  static override summary =
    'Recompute the hash of a lineage event and of every ancestor; exit 3 on any mismatch.';
  static override description = `For the event and every event on every path to the roots (or for every event when no
hash is given): the payload must be a JSON object in RFC 8785 form, the timestamp RFC 3339 UTC
with milliseconds, every parent link must point at an event recorded earlier, and the hash
recomputed from the stored type, parent links, payload and timestamp must equal the stored hash.
A dataset event's checksum and rows must still equal its session's root and record count.
Exit 3 names each failing event.`;

  static override examples = [
    '<%= config.bin %> lineage verify 5d41402a',
    '<%= config.bin %> lineage verify --json',
  ];

  static override args = {
    hash: Args.string({
      description: 'Event hash or a unique prefix (8+ hex). Default: every event.',
      required: false,
    }),
  };

  public async run(): Promise<LineageCheck> {
    const hash = this.args.hash;
    const result = await this.withStore('read', (store) =>
      verifyLineage(store, hash === undefined ? undefined : [resolveEventHash(store, hash)]),
    );
    return { ok: result.failures.length === 0, checked: result.checked, failures: result.failures };
  }

  protected override render(result: LineageCheck): string {
    const scope = this.args.hash === undefined ? '' : ` (${this.args.hash} and its ancestors)`;
    if (result.ok)
      return `${chalk.green('✓')} ${result.checked} lineage event(s) verified${scope}.`;
    return `${renderFailures(result.failures)}\n${result.failures.length} failure(s) in ${result.checked} lineage event(s) checked${scope}.`;
  }

  protected override exitCode(result: LineageCheck): ExitCodeValue | undefined {
    return result.ok ? undefined : ExitCode.VERIFY_FAILED;
  }
}
