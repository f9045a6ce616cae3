import { Args, Flags } from '@oclif/core';
import { OriginCommand, Rendering, notice } from '../base-command';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_LINE_BYTES,
  INGEST_FORMATS,
  IngestFormat,
  IngestSummary,
  ingest,
} from '../core/ingest/ingest';
import { SOURCE_FROM, SourceFrom } from '../core/ingest/inputs';
import { ExitCode, ExitCodeValue, UsageError } from '../core/errors';
import { DEFAULT_CHECKPOINT_EVERY, parseCheckpointEvery } from '../core/ingest/checkpoints';
import { formatBytes, formatCount, keyValueLines } from '../render/output';
import { ProgressLine } from '../render/progress';

export default class Ingest extends OriginCommand<typeof Ingest, IngestSummary> {
  static override summary =
    'Record the fingerprint, source and license of every sample in JSONL, text, files or tar shards.';
  static override description = `Reads the FILEs (regular files, directories, named pipes, /dev/fd/N), or stdin when none is given
(or "-"), and records every record as a sample observation in one session: its SHA-256 fingerprint, its source and its license. Records are
grouped into batches with RFC 6962 Merkle roots; the session root covers every observation in order.

Without --session a new session is created and completed at the end; --session appends to an open one.
The database is created if it does not exist. On bad input (invalid JSON, a missing content field, a
line over --max-line-bytes) nothing is recorded and the command exits 2 naming file:line, unless
--skip-invalid is given. gzip and zstd input is recognised by its first bytes and decompressed; truncated
or corrupt compressed data is bad input too. With --tee every input byte is copied to stdout unchanged, so origin can sit in
the middle of a pipe; all messages then go to stderr. On SIGINT/SIGTERM the records already read are
recorded and the session is marked interrupted (exit 1).`;

  static override examples = [
    {
      description:
        'Record a JSONL file, fingerprinting its "text" field, with per-record source and license:',
      command:
        '<%= config.bin %> ingest data.jsonl --content-field text --source-field source --license-field license',
    },
    {
      description:
        'Sit in a training pipe: the data flows through unchanged, the summary goes to stderr:',
      command:
        'cat corpus.jsonl | <%= config.bin %> ingest --tee --source wiki --license CC-BY-SA-4.0 | python train.py',
    },
    {
      description: 'Compressed input, from a file or a process substitution:',
      command:
        '<%= config.bin %> ingest shard-0001.jsonl.zst <(zcat shard-0002.jsonl.gz) --content-field text',
    },
    {
      description:
        'A directory of shards, walked in path order, each file its own source named by its directory:',
      command:
        '<%= config.bin %> ingest data/ --content-field /messages/0/content --source-from dir',
    },
    {
      description:
        'An image folder (each file one sample) and a WebDataset shard (each member one sample):',
      command:
        '<%= config.bin %> ingest images/ --format file --license CC-BY-4.0 && <%= config.bin %> ingest shard-000.tar --format tar',
    },
    {
      description: 'Plain text, one sample per line, appended to an open session:',
      command: '<%= config.bin %> ingest notes.txt --format text --session 3f9a1c --license MIT',
    },
  ];

  static override strict = false;
  static override args = {
    file: Args.string({
      description: 'Input files ("-" for stdin). Default: stdin.',
      required: false,
      ignoreStdin: true,
    }),
  };

  static override flags = {
    format: Flags.string({
      summary:
        'Input format: jsonl (one JSON record per line), text (one sample per line), csv, tsv or parquet (one record per row), file (each file one sample) or tar (each member one sample).',
      description:
        'csv/tsv: the header row names the fields (--content-field, --source-field and --license-field name columns); without --content-field a row is fingerprinted as the JCS of its {column: value} object. parquet: the same, each row a JSON object (INT64 within ±2^53−1, timestamps as RFC 3339, binary as base64), read from files by row group. file: every input file (or every file of a directory) is one sample, fingerprinted as the SHA-256 of its bytes (images, audio, anything; never decompressed). tar: every regular-file member of a tar stream (a WebDataset shard; gzip or zstd compressed or not) is one sample, its data fingerprinted as it is.',
      options: [...INGEST_FORMATS],
      default: 'jsonl',
    }),
    'source-from': Flags.string({
      summary:
        "Without --source, name each file's source by its path (default), its directory, or its file name.",
      description:
        'For origin ingest data/ with data/wiki/part-1.jsonl: path gives data/wiki/part-1.jsonl, dir data/wiki, name part-1.jsonl. stdin is always "stdin".',
      options: [...SOURCE_FROM],
      default: 'path',
    }),
    'content-field': Flags.string({
      summary:
        'Fingerprint this field instead of the whole record: a JSON Pointer (/messages/0/content) or a dotted path (messages.0.content). Repeat it to fingerprint several fields together.',
      description:
        'One field: a string value is fingerprinted as its UTF-8 bytes, any other value as its JCS (RFC 8785) form. Several: the JCS of an object whose keys are the fields exactly as given and whose values are their values, e.g. --content-field prompt --content-field response fingerprints {"prompt":…,"response":…}.',
      multiple: true,
    }),
    'fingerprint-field': Flags.string({
      summary:
        "Take each record's fingerprint from this field (64 hex characters, SHA-256 computed upstream) instead of hashing its content.",
      description:
        'For pipelines that already hash their samples. Every value is checked (64 hex characters; upper case is read as lower case); its content bytes are not known, so they count 0. The session records that its fingerprints were precomputed (metadata key origin.precomputed_fingerprints).',
    }),
    source: Flags.string({
      summary: 'Source name for all records. Default: the input file name, or "stdin".',
    }),
    license: Flags.string({
      summary: 'License (SPDX expression) for all records. Default: unknown.',
    }),
    'source-field': Flags.string({
      summary: "Take each record's source from this field (falls back to --source).",
    }),
    'license-field': Flags.string({
      summary: "Take each record's license from this field (falls back to --license).",
    }),
    'batch-size': Flags.integer({
      summary: `Records per batch (each batch gets its own Merkle root).`,
      default: DEFAULT_BATCH_SIZE,
      min: 1,
    }),
    'max-line-bytes': Flags.integer({
      summary: 'Longest accepted line, in bytes.',
      default: DEFAULT_MAX_LINE_BYTES,
      min: 1,
    }),
    session: Flags.string({
      summary: 'Append to this open session (full id or a unique prefix of 6+ characters).',
    }),
    'checkpoint-every': Flags.string({
      summary:
        'Commit what was observed so far this often: a duration (30s, 5m), a record count (1000000), or both (30s,1000000).',
      description:
        'Each checkpoint is a complete, verifiable state of the session (it stays open); after a kill -9 at most the last interval is lost. The writer lock is held only while committing, so other writers proceed in between. Large stores stretch the interval to ten times the last commit.',
      default: DEFAULT_CHECKPOINT_EVERY,
    }),
    tee: Flags.boolean({
      summary: 'Copy every input byte to stdout unchanged; messages go to stderr.',
      default: false,
    }),
    'skip-invalid': Flags.boolean({
      summary: 'Record the valid records, skip invalid lines and report them, instead of failing.',
      default: false,
    }),
  };

  public async run(): Promise<IngestSummary> {
    const { flags } = this;
    // A license typed on the command line must be valid (per-record licenses are recorded as found).
    // Loaded only then: the taxonomy and its YAML parser are a noticeable part of a short ingest.
    let license: string | undefined;
    if (flags.license !== undefined) {
      const { parseExpression } = await import('../core/licenses');
      const { projectTaxonomy } = await import('../core/licenses/report');
      license = parseExpression(flags.license, projectTaxonomy(this.dbPath)).expression;
    }
    const tee = flags.tee ? process.stdout : undefined;
    this.stdoutIsData = flags.tee;
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const progress = new ProgressLine(!flags.quiet && !flags.json && Boolean(process.stderr.isTTY));
    let summary: IngestSummary;
    try {
      const checkpoints = parseCheckpointEvery(flags['checkpoint-every']);
      summary = await this.withStore('commits', (store) =>
        ingest(store, {
          inputs: this.inputFiles(),
          stdin: process.stdin,
          format: flags.format as IngestFormat,
          sourceFrom: flags['source-from'] as SourceFrom,
          contentFields: flags['content-field'],
          fingerprintField: flags['fingerprint-field'],
          sourceField: flags['source-field'],
          licenseField: flags['license-field'],
          source: flags.source,
          license,
          batchSize: flags['batch-size'],
          maxLineBytes: flags['max-line-bytes'],
          session: flags.session,
          checkpoints,
          skipInvalid: flags['skip-invalid'],
          tee,
          signal: controller.signal,
          onProgress: (p) => progress.update(p.records, p.inputBytes, p.elapsedMs),
        }),
      );
    } finally {
      progress.clear();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    for (const warning of summary.warnings) this.warn(warning);
    return summary;
  }

  private inputFiles(): string[] {
    const files = this.argvList;
    const readsStdin = files.length === 0 || files.includes('-');
    if (readsStdin && process.stdin.isTTY) {
      throw new UsageError(
        'ingest reads stdin, and stdin is a terminal',
        'name a file (origin ingest data.jsonl) or pipe the data in (cat data.jsonl | origin ingest)',
      );
    }
    return files;
  }

  /** An interrupted ingest exits 1, with what it recorded. */
  protected override exitCode(summary: IngestSummary): ExitCodeValue | undefined {
    return summary.interrupted ? ExitCode.ERROR : undefined;
  }

  /**
   * The summary is a notice (--quiet leaves it out); an interruption and skipped lines are
   * reported on stderr in any case. With --tee it all goes to stderr.
   */
  protected override render(summary: IngestSummary): Rendering {
    if (summary.interrupted) {
      process.stderr.write(
        `Interrupted: recorded the ${formatCount(summary.records)} records read so far; session ${summary.session_id} is marked interrupted.\n`,
      );
    }
    if (summary.skipped.count > 0) {
      const lines = summary.skipped.first_lines
        .map((s) => `  ${s.input}:${s.line}: ${s.reason}`)
        .join('\n');
      this.warn(
        `skipped ${formatCount(summary.skipped.count)} invalid line(s); first ones:\n${lines}`,
      );
    }
    const sources = summary.sources
      .map((s) => `${s.source} (${s.license}): ${formatCount(s.records)}`)
      .join(', ');
    return notice(
      keyValueLines([
        ['Session', `${summary.session_id} (${summary.session_status})`],
        ['Session root', summary.session_root],
        ['Session head', summary.session_head],
        [
          'Records',
          `${formatCount(summary.records)} (session total ${formatCount(summary.session_records)})`,
        ],
        ['Distinct', formatCount(summary.distinct)],
        [
          'Duplicates',
          `${formatCount(summary.duplicates)} repeated in this input, ${formatCount(summary.already_known)} already known`,
        ],
        [
          'Bytes',
          `${formatBytes(summary.bytes)} content, ${formatBytes(summary.input_bytes)} input`,
        ],
        ['Batches', formatCount(summary.batches)],
        ['Sources', sources || 'none'],
        ['Skipped', formatCount(summary.skipped.count)],
        [
          'Rate',
          `${formatCount(summary.records_per_second)} records/s, ${summary.mb_per_second} MB/s`,
        ],
      ]),
    );
  }
}
