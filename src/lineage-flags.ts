/**
 * What the flags of `origin lineage record` mean: payload flags become an event payload
 * (snake_case keys), and --from-json names a file or stdin holding events as JSON.
 * `--param` values stay strings, exactly as typed; typed values go through --from-json.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './core/errors';
import {
  EventType,
  JsonValue,
  ParsedInputs,
  Payload,
  checkEventType,
  isExactNumber,
  parseEventInputs,
} from './core/lineage';
import { parseKeyValues } from './key-values';

/** The command-line fields of `origin lineage record` (flag names in FLAG_NAMES). */
export interface RecordFlags {
  runId?: string;
  model?: string;
  modelVersion?: string;
  params?: readonly string[];
  started?: string;
  finished?: string;
  name?: string;
  version?: string;
  checksum?: string;
  rows?: number;
  session?: string;
  metrics?: readonly string[];
  dataset?: string;
  split?: string;
  modelEvent?: string;
  inputFingerprint?: string;
  output?: string;
}

const FLAG_NAMES: Record<keyof RecordFlags, string> = {
  runId: '--run-id',
  model: '--model',
  modelVersion: '--model-version',
  params: '--param',
  started: '--started',
  finished: '--finished',
  name: '--name',
  version: '--version',
  checksum: '--checksum',
  rows: '--rows',
  session: '--session',
  metrics: '--metric',
  dataset: '--dataset',
  split: '--split',
  modelEvent: '--model-event',
  inputFingerprint: '--input-fingerprint',
  output: '--output',
};

const FLAGS_BY_TYPE: Record<EventType, readonly (keyof RecordFlags)[]> = {
  training: ['runId', 'model', 'modelVersion', 'params', 'started', 'finished'],
  dataset: ['name', 'version', 'checksum', 'rows', 'session'],
  evaluation: ['metrics', 'dataset', 'split'],
  prediction: ['modelEvent', 'inputFingerprint', 'output'],
};

function isGiven(value: RecordFlags[keyof RecordFlags]): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** True when any payload flag is set (they cannot be combined with --from-json). */
export function anyPayloadFlag(flags: RecordFlags): string | undefined {
  const key = (Object.keys(FLAG_NAMES) as (keyof RecordFlags)[]).find((k) => isGiven(flags[k]));
  return key === undefined ? undefined : FLAG_NAMES[key];
}

/**
 * Builds an event payload from command-line flags (snake_case keys, absent flags omitted).
 * A flag that belongs to another event type is a usage error.
 */
export function payloadFromFlags(typeName: string, flags: RecordFlags): Payload {
  const type = checkEventType(typeName);
  const allowed = FLAGS_BY_TYPE[type];
  for (const key of Object.keys(FLAG_NAMES) as (keyof RecordFlags)[]) {
    if (isGiven(flags[key]) && !allowed.includes(key)) {
      throw new UsageError(
        `${FLAG_NAMES[key]} does not apply to a ${type} event`,
        `flags for ${type}: ${allowed.map((k) => FLAG_NAMES[k]).join(', ')}`,
      );
    }
  }
  const payload: Payload = {};
  const set = (key: string, value: JsonValue | undefined): void => {
    if (value !== undefined) payload[key] = value;
  };
  if (type === 'training') {
    set('run_id', flags.runId);
    set('model', flags.model);
    set('model_version', flags.modelVersion);
    if (flags.params && flags.params.length > 0)
      set('params', parseKeyValues(flags.params, '--param'));
    set('started_at', flags.started);
    set('finished_at', flags.finished);
  } else if (type === 'dataset') {
    if (flags.session !== undefined && (flags.checksum !== undefined || flags.rows !== undefined)) {
      throw new UsageError(
        '--session sets the checksum and rows; do not give --checksum or --rows with it',
      );
    }
    set('name', flags.name);
    set('version', flags.version);
    set('checksum', flags.checksum);
    set('rows', flags.rows);
    set('session_id', flags.session);
  } else if (type === 'evaluation') {
    const metrics: Payload = {};
    for (const [name, text] of Object.entries(parseKeyValues(flags.metrics ?? [], '--metric'))) {
      metrics[name] = parseMetricValue(name, text);
    }
    if (Object.keys(metrics).length > 0) payload.metrics = metrics;
    set('dataset', flags.dataset);
    set('split', flags.split);
  } else {
    set('model_event', flags.modelEvent);
    set('input_fingerprint', flags.inputFingerprint);
    set('output', flags.output);
  }
  return payload;
}

const METRIC_NUMERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a metric value: a finite decimal number, kept exactly or refused. */
function parseMetricValue(name: string, text: string): number {
  const where = `--metric ${name}=${text}`;
  if (!METRIC_NUMERAL.test(text.trim())) {
    throw new UsageError(
      `${where}: the value is not a number`,
      'write it as --metric accuracy=0.913',
    );
  }
  const value = Number(text.trim());
  if (!Number.isFinite(value)) throw new UsageError(`${where}: the value is not finite`);
  if (!isExactNumber(text.trim())) {
    throw new UsageError(
      `${where}: a JSON number cannot hold this value exactly (it would become ${String(value)})`,
      'give at most 17 significant digits, or record the value as a string with --from-json',
    );
  }
  return value;
}

/** Reads and parses --from-json input: a file, or stdin for "-". */
export function readEventInputs(source: string): ParsedInputs {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${source}: ${code ?? (err as Error).message}`);
  }
  return parseEventInputs(text, source === '-' ? 'stdin' : source);
}
