import chalk from 'chalk';

/**
 * How every failure is reported (SPEC.md §4, §5): under --json one {"error": …} document on the
 * data stream, and always "Error: …" and "Hint: …" on stderr; the exit code is set, not thrown.
 */
export function printError(
  failure: { message: string; hint?: string; code: number },
  options: { json: boolean; out?: NodeJS.WritableStream },
): void {
  const { message, hint, code } = failure;
  if (options.json) {
    const doc = { error: { message, hint: hint ?? null, exit_code: code } };
    (options.out ?? process.stdout).write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  process.stderr.write(`${chalk.red('Error:')} ${message}\n`);
  if (hint) process.stderr.write(`${chalk.dim('Hint:')} ${hint}\n`);
  process.exitCode = code;
}
