// `origin`, `origin --help`, `-h` and `origin help`: oclif's help, opening with what people do first.
import { Help } from '@oclif/core';

/** The three things a new user does, in order; the root help starts with them. */
export const FIRST_STEPS: readonly { command: string; what: string }[] = [
  { command: 'origin init', what: 'create the database (./origin.db, or --path FILE)' },
  {
    command:
      'cat data.jsonl | origin ingest --tee --content-field text --source wiki --license CC-BY-SA-4.0 | python train.py',
    what: 'record every sample that flows to training; the data passes through unchanged',
  },
  {
    command: 'origin conflicts',
    what: 'check the recorded licenses; exit 4 on a conflict (--intended-use research for research models)',
  },
];

/**
 * oclif's Help with a root page that starts with FIRST_STEPS. Command and topic pages are oclif's
 * own. oclif loads a configured help class from a file, which a single-file executable does not
 * have, so the CLI's entry shows this class itself for root help requests (see isRootHelp).
 */
export class OriginHelp extends Help {
  public override formatRoot(): string {
    const steps = FIRST_STEPS.flatMap((s, i) => [`  ${i + 1}. $ ${s.command}`, `       ${s.what}`]);
    return [
      'START HERE',
      ...steps,
      '',
      '  Then `origin help COMMAND` (or `origin COMMAND -h`) for any command below.',
      '',
      super.formatRoot(),
    ].join('\n');
  }
}

/** Whether argv asks for the root help page: nothing, --help or -h alone, or help alone. */
export function isRootHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]));
}
