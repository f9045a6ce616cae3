/**
 * `origin export`: one session in one of the audit formats. Each format is one module here; this
 * file names them and sends the chosen one its context and an output sink.
 */
import { IntendedUse, Taxonomy } from '../../licenses';
import { Store } from '../../store/store';
import { UsageError } from '../../errors';
import { ExportContext, exportContext } from './context';
import { renderCycloneDx } from './cyclonedx';
import { renderEuAiAct } from './eu-ai-act';
import { renderHf } from './hf';
import { renderJson } from './json';
import { writeJsonl } from './jsonl';
import { renderMlflow } from './mlflow';
import { Sink, toOutputFile, toStdout } from './sink';
import { renderSpdx } from './spdx';
import { renderWandb } from './wandb';

export const EXPORT_FORMATS = [
  'json',
  'jsonl',
  'mlflow',
  'wandb',
  'hf',
  'spdx',
  'cyclonedx',
  'eu-ai-act',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The formats whose keys take a prefix. */
export const KEYED_FORMATS: readonly ExportFormat[] = ['mlflow', 'wandb'];

type Writer = (ctx: ExportContext, sink: Sink) => Promise<void>;

const document =
  (render: (ctx: ExportContext) => string): Writer =>
  (ctx, sink) =>
    sink.write(render(ctx));

const WRITERS: Record<ExportFormat, Writer> = {
  json: document(renderJson),
  jsonl: writeJsonl,
  mlflow: document(renderMlflow),
  wandb: document(renderWandb),
  hf: document(renderHf),
  spdx: document(renderSpdx),
  cyclonedx: document(renderCycloneDx),
  'eu-ai-act': document(renderEuAiAct),
};

export interface ExportOptions {
  format: ExportFormat;
  /** Session id or unique prefix. */
  session: string;
  /** origin's version, recorded as the generator. */
  version: string;
  use?: IntendedUse;
  /** JSON rendering for formats that also have Markdown (eu-ai-act, hf). */
  json?: boolean;
  /** mlflow and wandb: the prefix of every key (default `origin`). */
  prefix?: string;
  /** Write to this file (atomically) instead of stdout. */
  output?: string;
  /** The database's path: an output never replaces it. */
  db?: string;
}

export interface ExportResult {
  session_id: string;
  format: ExportFormat;
  output: string | null;
  bytes: number;
}

/** Writes one session's export to stdout or, atomically, to `options.output`. */
export async function exportSession(
  store: Store,
  taxonomy: Taxonomy,
  options: ExportOptions,
): Promise<ExportResult> {
  if (options.prefix !== undefined && !KEYED_FORMATS.includes(options.format))
    throw new UsageError(
      `--prefix applies to ${KEYED_FORMATS.join(' and ')} only, not ${options.format}`,
      'drop --prefix, or export --format mlflow or --format wandb',
    );
  const ctx = exportContext(store, taxonomy, options);
  const run = async (sink: Sink): Promise<number> => {
    await WRITERS[options.format](ctx, sink);
    return sink.bytes;
  };
  const bytes = options.output
    ? await toOutputFile(options.output, options.db, run)
    : await toStdout(run);
  return {
    session_id: ctx.provenance.session.session_id,
    format: options.format,
    output: options.output ?? null,
    bytes,
  };
}

export type { ExportContext } from './context';
