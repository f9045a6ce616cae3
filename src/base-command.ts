import { Command, Flags, Interfaces } from '@oclif/core';
import chalk from 'chalk';
import { writeSync } from 'node:fs';
import { ExitCode, ExitCodeValue, OriginError } from './core/errors';
import { OpenMode, Store, resolveDbPath } from './core/store/store';
import { printError } from './render/error';
import { configureColor, jsonDocument } from './render/output';
import { suggestions } from './core/suggest';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof OriginCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** A message about what a command did ("Wrote card.md"): printed for people, but not with --quiet. */
export class Notice {
  constructor(readonly text: string) {}
}

export function notice(text: string): Notice {
  return new Notice(text);
}

/**
 * A result as people see it: the requested data (a string, printed with --quiet too), a notice of
 * what was done, or undefined for nothing. Printed on stdout as one line or more; a newline is
 * added unless the text ends with one.
 */
export type Rendering = string | Notice | undefined;

/**
 * What every command shares: the database path, --json and --quiet, colour rules, opening and
 * saving the store, printing results, and mapping every failure onto SPEC.md §4 exit codes.
 *
 * A command's run() returns its result (R) and prints nothing itself. The base prints it: as JSON
 * under --json (renderJson), else as the command renders it for people (render), and ends with the
 * exit code the result means (exitCode): a failed check, a policy reached. A command whose output
 * was streamed while it ran (export to stdout) returns undefined: nothing more is printed.
 */
export abstract class OriginCommand<
  T extends typeof Command = typeof Command,
  R = unknown,
> extends Command {
  /**
   * oclif's own --json (it prints a returned result itself when this is set) stays off: --json is
   * one of the base flags below, and the result is printed once, by printResult.
   */
  static override enableJsonFlag = false;

  static override baseFlags = {
    path: Flags.string({
      aliases: ['db'],
      summary: 'Database file. Default: $ORIGIN_DB_PATH, else ./origin.db.',
      helpGroup: 'GLOBAL',
    }),
    json: Flags.boolean({
      summary: 'Print one JSON document on stdout (full ids and hashes).',
      helpGroup: 'GLOBAL',
      default: false,
    }),
    quiet: Flags.boolean({
      char: 'q',
      summary: 'Print nothing but errors and the requested data.',
      helpGroup: 'GLOBAL',
      default: false,
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /** True when stdout carries data (ingest --tee): then every message, JSON errors too, goes to stderr. */
  protected stdoutIsData = false;
  /** Every positional argument, for commands that take a list (strict = false). */
  protected argvList: string[] = [];

  public abstract override run(): Promise<R | undefined>;

  /** The result for people; see Rendering. Default: nothing. */
  protected render(_result: R): Rendering {
    return undefined;
  }

  /** What --json prints: the result as one JSON document. */
  protected renderJson(result: R): string {
    return jsonDocument(result);
  }

  /** The exit code the result means, when it is not success. */
  protected exitCode(_result: R): ExitCodeValue | undefined {
    return undefined;
  }

  /**
   * oclif's run of a command (init, run, catch, finally), then the result printed. _run is the
   * method @oclif/core declares protected for base classes to extend (sf-plugins-core's SfCommand
   * extends it too); it returns run()'s result, or undefined when catch handled a failure. A result
   * that cannot be printed is reported as any other failure.
   */
  protected override async _run<U>(): Promise<U> {
    const result = await super._run<R | undefined>();
    if (result !== undefined) {
      try {
        this.printResult(result);
      } catch (err) {
        await this.catch(err as Error);
      }
    }
    return result as U;
  }

  private printResult(result: R): void {
    // With --tee stdout carries the data: the result goes to stderr, as errors do.
    const out = this.stdoutIsData ? process.stderr : process.stdout;
    const text = this.resultText(result);
    if (text !== undefined) out.write(text);
    this.setExitCode(result);
  }

  /**
   * Prints the result at once, for a command whose change is worth nothing unless its output
   * arrives (session start's id): called before the change is saved, a failure to print throws,
   * so nothing is saved. run() then returns undefined.
   */
  protected printNow(result: R): void {
    const text = this.resultText(result);
    if (text !== undefined) writeAllSync(this.stdoutIsData ? 2 : 1, text);
    this.setExitCode(result);
  }

  private resultText(result: R): string | undefined {
    if (this.flags.json) return this.renderJson(result);
    const rendering = this.render(result);
    const text =
      rendering instanceof Notice ? (this.flags.quiet ? undefined : rendering.text) : rendering;
    return text === undefined || text.endsWith('\n') ? text : `${text}\n`;
  }

  private setExitCode(result: R): void {
    const code = this.exitCode(result);
    if (code !== undefined && code !== ExitCode.OK) process.exitCode = code;
  }

  public override async init(): Promise<void> {
    await super.init();
    this.guardStdout();
    // Decide colour before parsing, so even a parse error prints uncoloured under --json/NO_COLOR.
    configureColor(this.argv.includes('--json'));
    const { args, argv, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof OriginCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.argvList = argv as string[];
  }

  /**
   * oclif rethrows any stdout error but EPIPE from an 'error' listener, which crashes with a stack
   * trace when stdout is, say, a full disk. Report it as the I/O error it is instead (exit 1). With
   * --tee stdout carries the data and ingest reports its errors itself.
   */
  private guardStdout(): void {
    process.stdout.removeAllListeners('error');
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || this.stdoutIsData || reportedOutputError) return;
      if (this.saved) reportUnprintedSummary(err);
      else reportOutputError(err);
    });
  }

  /** The absolute database path this command works on. */
  protected get dbPath(): string {
    return resolveDbPath(this.flags.path);
  }

  /**
   * Opens the store, runs fn, then saves (only if something changed) and releases the lock.
   * If fn throws, nothing is written: the file stays exactly as it was.
   */
  protected async withStore<R>(mode: OpenMode, fn: (store: Store) => R | Promise<R>): Promise<R> {
    const store = await Store.open(this.dbPath, {
      mode,
      onLockWait: (path, ms) =>
        this.warn(
          `waiting for another origin process to finish writing ${path} (up to ${Math.round(ms / 1000)} s)…`,
        ),
    });
    let result: R;
    try {
      result = await fn(store);
    } catch (err) {
      await store.abandon();
      throw err;
    }
    await store.close();
    if (store.saves > 0) this.saved = true;
    return result;
  }

  /** The command saved the database: its work stands even if its summary cannot be printed. */
  private saved = false;

  /** A message for people on stderr (never in the way of stdout data), silent with --quiet. */
  protected info(message: string): void {
    if (!this.flags?.quiet) process.stderr.write(`${message}\n`);
  }

  public override warn(input: string | Error): string | Error {
    process.stderr.write(
      `${chalk.yellow('Warning:')} ${input instanceof Error ? input.message : input}\n`,
    );
    return input;
  }

  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<void> {
    if (isWriteError(err)) {
      // Never try to print to a stdout that just failed; the error goes to stderr only.
      if (reportedOutputError) return;
      if (this.saved) reportUnprintedSummary(err as NodeJS.ErrnoException);
      else reportOutputError(err as NodeJS.ErrnoException);
      return;
    }
    const json = this.argv.includes('--json');
    let code: number;
    let hint: string | undefined;
    if (err instanceof OriginError) {
      code = err.exitCode;
      hint = err.hint;
    } else if (err.oclif?.exit !== undefined) {
      // oclif's own parse errors: unknown flags, missing arguments, bad flag values.
      code = err.oclif.exit === 0 ? 0 : ExitCode.USAGE;
      hint = `${unknownFlagSuggestion(err, this.ctor)}see \`origin ${this.id?.replace(/:/g, ' ') ?? ''} --help\``;
    } else {
      code = ExitCode.ERROR;
      hint = 'this is a bug in origin; please report it with the command you ran';
    }
    if (code === 0) return;
    const message = err.message.replace(/^Error: /, '');
    printError(
      { message, hint, code },
      { json, out: this.stdoutIsData ? process.stderr : process.stdout },
    );
    if (code === ExitCode.ERROR && !(err instanceof OriginError) && process.env.DEBUG) {
      process.stderr.write(`${err.stack}\n`);
    }
  }
}

/** Writes all of text to a file descriptor now; a non-blocking pipe that is full is waited for. */
function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** Errors of writing output (stdout, or a file given with -o) that are the system's, not Origin's. */
const WRITE_ERROR_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EPIPE', 'EBADF', 'EROFS']);

function isWriteError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.syscall === 'write' && e.code !== undefined && WRITE_ERROR_CODES.has(e.code);
}

let reportedOutputError = false;

function reportOutputError(err: NodeJS.ErrnoException): void {
  reportedOutputError = true;
  process.stderr.write(`${chalk.red('Error:')} cannot write the output: ${err.message}\n`);
  process.stderr.write(
    `${chalk.dim('Hint:')} make room on that device, or send the output somewhere else, and run the command again\n`,
  );
  process.exitCode = ExitCode.ERROR;
}

/** Work that was saved is not reported as failed because its summary could not be printed. */
function reportUnprintedSummary(err: NodeJS.ErrnoException): void {
  reportedOutputError = true;
  process.stderr.write(
    `${chalk.yellow('Warning:')} the change was saved, but its summary could not be printed: ${err.message}\n`,
  );
}

/**
 * "did you mean --session? " for oclif's error about flags the command does not have (it carries
 * them as `flags`), else "".
 */
function unknownFlagSuggestion(err: Error & { flags?: unknown }, command: typeof Command): string {
  if (!Array.isArray(err.flags) || !err.message.startsWith('Nonexistent flag')) return '';
  const names = Object.entries({ ...command.baseFlags, ...command.flags }).flatMap(
    ([name, flag]) => [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])],
  );
  const near = (err.flags as unknown[])
    .filter((f): f is string => typeof f === 'string')
    .flatMap((f) => suggestions(f.split('=')[0], names).slice(0, 1))
    .filter((n) => n.startsWith('--'));
  return near.length > 0 ? `did you mean ${[...new Set(near)].join(', ')}? ` : '';
}
