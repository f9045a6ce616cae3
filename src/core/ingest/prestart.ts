/**
 * For `origin ingest …`, the CLI entry calls prestartIngest() before oclif loads: the parser
 * threads boot on the cores that are idle while the CLI loads, and when the arguments are plain
 * enough to read without oclif, one of them starts reading and parsing the input files already
 * (bin/run.js starts that one even earlier, from dist/ingest-reader.cjs, with this readAheadOf).
 * Nothing here decides anything: ingest adopts that work only if it is exactly what it would
 * have done (same inputs, same parser options), and otherwise throws it away.
 */
import { DEFAULT_MAX_LINE_BYTES, SEGMENT_BYTES } from './defaults';
import { ReadAhead, prestartParserThreads } from './parse-pool';
import { holdFlagsUntil } from '../store/sqljs';

/** The sizes a read-ahead works with (scripts/bundle.js bakes them into the early reader). */
export interface ReadAheadSettings {
  maxLineBytes: number;
  segmentBytes: number;
  window: number;
  handOverBelow: number;
}

export const READ_AHEAD_SETTINGS: ReadAheadSettings = {
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  segmentBytes: SEGMENT_BYTES,
  // Segments read ahead and not yet recorded by ingest: at most this many (6 MB). The reader
  // starts before the CLI loads, and this lets it keep going until ingest begins recording.
  window: 24,
  // Once ingest records, it is handed a segment to parse itself only when it would otherwise have
  // nothing to record: it records and computes the leaf hashes of what the reader parses, which
  // keeps it about as busy as the reader (tuned by benchmark).
  handOverBelow: 1,
};

/**
 * What ingest would read and how it would parse it, if argv is unambiguous; else undefined.
 * Self-contained (nothing from outside its body): the early reader runs its source text.
 */
export function readAheadOf(
  argv: readonly string[],
  settings: ReadAheadSettings,
): ReadAhead | undefined {
  // Flags of `origin ingest` that take a value, and the boolean ones; --tee is left out on purpose.
  const valueFlags = new Set([
    '--format',
    '--content-field',
    '--source-field',
    '--license-field',
    '--max-line-bytes',
    '--source',
    '--license',
    '--batch-size',
    '--session',
    '--path',
    '--db',
  ]);
  const booleanFlags = new Set(['--json', '--quiet', '-q', '--skip-invalid']);
  const values = new Map<string, string>();
  const inputs: string[] = [];
  let skipInvalid = false;
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (valueFlags.has(flag)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) return undefined;
        value = argv[++i];
      }
      if (values.has(flag)) return undefined;
      values.set(flag, value);
    } else if (value === undefined && booleanFlags.has(flag)) {
      if (flag === '--skip-invalid') skipInvalid = true;
    } else if (flag.startsWith('-') || value !== undefined) {
      // stdin ("-"), --tee, --help, anything unknown: leave it all to ingest.
      return undefined;
    } else {
      inputs.push(flag);
    }
  }
  const format = values.get('--format') ?? 'jsonl';
  const maxLineBytes = Number(values.get('--max-line-bytes') ?? settings.maxLineBytes);
  if (inputs.length === 0 || (format !== 'jsonl' && format !== 'text')) return undefined;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) return undefined;
  return {
    inputs,
    options: {
      format,
      contentField: values.get('--content-field'),
      sourceField: values.get('--source-field'),
      licenseField: values.get('--license-field'),
      maxLineBytes,
      skipInvalid,
    },
    segmentBytes: settings.segmentBytes,
    window: settings.window,
    handOverBelow: settings.handOverBelow,
  };
}

/** `argv`: the arguments after `ingest`. */
export function prestartIngest(argv: readonly string[]): void {
  const booted = prestartParserThreads(readAheadOf(argv, READ_AHEAD_SETTINGS));
  // They boot while the CLI loads; sql.js's V8 flag must not come in the middle (see sqljs.ts).
  for (const thread of booted) holdFlagsUntil(thread);
}
