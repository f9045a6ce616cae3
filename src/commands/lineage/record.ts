import { Args, Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { jsonDocument } from '../../render/output';
import { UsageError } from '../../core/errors';
import { EVENT_TYPES, EventInput, LineageEvent, recordEvents } from '../../core/lineage';
import {
  RecordFlags,
  anyPayloadFlag,
  payloadFromFlags,
  readEventInputs,
} from '../../lineage-flags';

/** The events recorded (or found already recorded), and whether they were read as JSON Lines. */
interface RecordedEvents {
  events: (LineageEvent & { created: boolean })[];
  jsonLines: boolean;
}

export default class LineageRecord extends OriginCommand<typeof LineageRecord, RecordedEvents> {
  static override summary =
    'Record a training run, dataset, evaluation or prediction as a hash-linked lineage event.';
  static override description = `Prints the event hash: SHA-256 of the RFC 8785 form of {type, parents (sorted), payload,
timestamp} (SPEC.md §3). Parents (--parent, repeatable) must already be recorded and may be given
by a unique prefix of 8+ hex characters. An evaluation's --dataset and a prediction's --model-event
are parents too. A dataset linked with --session (an ended session) takes that session's root as
its checksum and its record count as its rows, so the lineage reaches every sample.

Values: --param values are recorded as strings, exactly as typed (use --from-json for typed
values). --metric values are JSON numbers; a value a double cannot hold exactly (over 17
significant digits) is refused, never rounded. Times are stored in UTC with milliseconds (finer
digits are truncated); --timestamp defaults to now.

Recording an identical event again (same hash) changes nothing: the existing event is reported
("already recorded" on stderr, "created": false with --json).

--from-json FILE (or - for stdin) reads one event object {"type", "payload", "parents"?,
"timestamp"?, "hash"?} or JSON Lines of them, recorded all or nothing; a later line may name an
earlier one as parent. With JSON Lines, --json prints JSON Lines.`;

  static override examples = [
    'DATA=$(<%= config.bin %> lineage record dataset --session 3f9a1c --name reviews --version 2024-05)',
    'RUN=$(<%= config.bin %> lineage record training --parent $DATA --model sentiment --model-version 1.2 --run-id run-42 --param lr=3e-5 --param epochs=3 --started 2024-05-01T12:00:00Z --finished 2024-05-01T14:30:00Z)',
    '<%= config.bin %> lineage record evaluation --parent $RUN --dataset $DATA --split test --metric accuracy=0.913 --metric f1=0.88',
    '<%= config.bin %> lineage record prediction --model-event $RUN --input-fingerprint 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 --output positive --json',
    "jq -c '.' events.jsonl | <%= config.bin %> lineage record --from-json -",
  ];

  static override args = {
    type: Args.string({
      description: 'Event type (optional with --from-json; then every event must be of it).',
      options: [...EVENT_TYPES],
      required: false,
      // stdin is event data (--from-json -), never the argument.
      ignoreStdin: true,
    }),
  };

  static override flags = {
    parent: Flags.string({
      summary: 'Parent event hash or unique prefix (8+ hex; repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
    }),
    timestamp: Flags.string({ summary: 'When it happened (RFC 3339). Default: now.' }),
    'from-json': Flags.string({
      summary: 'Read the event(s) from a JSON object or JSON Lines file ("-" for stdin).',
    }),
    'run-id': Flags.string({ summary: 'training: the run id.', helpGroup: 'TRAINING' }),
    model: Flags.string({ summary: 'training: the model name.', helpGroup: 'TRAINING' }),
    'model-version': Flags.string({
      summary: 'training: the model version.',
      helpGroup: 'TRAINING',
    }),
    param: Flags.string({
      summary: 'training: hyper-parameter key=value, kept as a string (repeatable).',
      helpGroup: 'TRAINING',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
    }),
    started: Flags.string({ summary: 'training: start time (RFC 3339).', helpGroup: 'TRAINING' }),
    finished: Flags.string({ summary: 'training: end time (RFC 3339).', helpGroup: 'TRAINING' }),
    name: Flags.string({ summary: 'dataset: name.', helpGroup: 'DATASET' }),
    version: Flags.string({ summary: 'dataset: version.', helpGroup: 'DATASET' }),
    checksum: Flags.string({
      summary: 'dataset: checksum of an external dataset.',
      helpGroup: 'DATASET',
    }),
    rows: Flags.integer({ summary: 'dataset: number of rows.', helpGroup: 'DATASET', min: 0 }),
    session: Flags.string({
      summary:
        'dataset: link this ended session (id or 6+ prefix): checksum = its root, rows = its records.',
      helpGroup: 'DATASET',
    }),
    metric: Flags.string({
      summary: 'evaluation: metric name=number (repeatable).',
      helpGroup: 'EVALUATION',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
    }),
    dataset: Flags.string({
      summary: 'evaluation: the dataset event evaluated on (also a parent).',
      helpGroup: 'EVALUATION',
    }),
    split: Flags.string({ summary: 'evaluation: the split (e.g. test).', helpGroup: 'EVALUATION' }),
    'model-event': Flags.string({
      summary: 'prediction: the training event of the model (also a parent).',
      helpGroup: 'PREDICTION',
    }),
    'input-fingerprint': Flags.string({
      summary: 'prediction: SHA-256 of the input (64 hex).',
      helpGroup: 'PREDICTION',
    }),
    output: Flags.string({ summary: 'prediction: the output.', helpGroup: 'PREDICTION' }),
  };

  public async run(): Promise<RecordedEvents> {
    const { flags } = this;
    const type = this.args.type;
    const payloadFlags: RecordFlags = {
      runId: flags['run-id'],
      model: flags.model,
      modelVersion: flags['model-version'],
      params: flags.param,
      started: flags.started,
      finished: flags.finished,
      name: flags.name,
      version: flags.version,
      checksum: flags.checksum,
      rows: flags.rows,
      session: flags.session,
      metrics: flags.metric,
      dataset: flags.dataset,
      split: flags.split,
      modelEvent: flags['model-event'],
      inputFingerprint: flags['input-fingerprint'],
      output: flags.output,
    };
    let inputs: EventInput[];
    let labels: string[] | undefined;
    let lines = false;
    if (flags['from-json'] !== undefined) {
      const other =
        anyPayloadFlag(payloadFlags) ??
        (flags.parent.length > 0 ? '--parent' : flags.timestamp ? '--timestamp' : undefined);
      if (other) {
        throw new UsageError(`${other} cannot be combined with --from-json`, 'put it in the JSON');
      }
      const parsed = readEventInputs(flags['from-json']);
      ({ inputs, labels, lines } = parsed);
      if (type !== undefined) {
        const i = inputs.findIndex((e) => e.type !== type);
        if (i >= 0)
          throw new UsageError(`${parsed.labels[i]}: a ${inputs[i].type} event, not ${type}`);
      }
    } else {
      if (type === undefined) {
        throw new UsageError(
          'give the event type, or --from-json',
          `origin lineage record ${EVENT_TYPES.join('|')} …`,
        );
      }
      inputs = [
        {
          type,
          payload: payloadFromFlags(type, payloadFlags),
          parents: flags.parent,
          timestamp: flags.timestamp,
        },
      ];
    }
    const results = await this.withStore('create', (store) =>
      recordEvents(store, inputs, { labels }),
    );
    for (const r of results) {
      if (!r.created) this.info(`already recorded: ${r.event.type} ${r.event.hash}`);
    }
    return {
      events: results.map((r) => ({ ...r.event, created: r.created })),
      jsonLines: lines,
    };
  }

  /** One event: one JSON document. Events read as JSON Lines: JSON Lines. */
  protected override renderJson({ events, jsonLines }: RecordedEvents): string {
    if (!jsonLines) return jsonDocument(events[0]);
    return events.map((e) => `${JSON.stringify(e)}\n`).join('');
  }

  /** Only the hashes, so that `$(origin lineage record …)` captures them. */
  protected override render({ events }: RecordedEvents): string | undefined {
    return events.length > 0 ? events.map((e) => e.hash).join('\n') : undefined;
  }
}
