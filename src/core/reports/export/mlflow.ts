/**
 * `mlflow`: one JSON document shaped for the MLflow client:
 *
 *   {"tags": {"origin.session_id": …, "origin.session_root": …, "origin.license": …, …},
 *    "params": {"origin.records": …, …},
 *    "inputs": [{"dataset": {"name", "digest", "source_type", "source", "profile"},
 *                "tags": [{"key": "mlflow.data.context", "value": "training"}]}],
 *    "artifacts": {"origin/provenance_card.md": "<Markdown>", "origin/provenance.json": {…}}}
 *
 * Every key starts with the prefix (`origin` unless --prefix says otherwise), so several sessions
 * can be logged into one run (MLflow refuses to change a param's value). Every tag and param value
 * is a string; params stay within 500 characters (MLflow's oldest limit), tags within 5,000. The
 * dataset input is MLflow's DatasetInput entity; its digest is the first 36 hex digits of the
 * session root (MLflow holds at most 36 characters), its source names the whole root. Use it as:
 *
 *   from mlflow.entities import Dataset, DatasetInput, InputTag
 *   d = json.load(open("origin-mlflow.json"))
 *   mlflow.set_tags(d["tags"]); mlflow.log_params(d["params"])
 *   MlflowClient().log_inputs(run_id, [DatasetInput(Dataset(**i["dataset"]),
 *                                       [InputTag(**t) for t in i["tags"]]) for i in d["inputs"]])
 *   for path, a in d["artifacts"].items():
 *       mlflow.log_text(a, path) if isinstance(a, str) else mlflow.log_dict(a, path)
 */
import { renderCard } from '../card';
import { ExportContext, verifyCommand } from './context';
import { ProvenanceDocument, provenanceDocument } from './json';

export const MLFLOW_PARAM_MAX = 500;
export const MLFLOW_TAG_MAX = 5000;

/** MLflow's limit on a dataset digest. */
export const MLFLOW_DIGEST_MAX = 36;

/** MLflow's DatasetInput entity, as its REST API and `mlflow.entities` spell it. */
export interface MlflowDatasetInput {
  dataset: {
    name: string;
    digest: string;
    source_type: string;
    source: string;
    profile: string;
  };
  tags: { key: string; value: string }[];
}

export interface MlflowExport {
  tags: Record<string, string>;
  params: Record<string, string>;
  inputs: MlflowDatasetInput[];
  /** `<prefix>/provenance_card.md` (Markdown) and `<prefix>/provenance.json` (an object). */
  artifacts: Record<string, string | ProvenanceDocument>;
}

const moreHint = (prefix: string): string => `see ${prefix}/provenance.json`;

/** Joins items with ", " within `max` characters, saying how many were left out. */
export function fitList(items: readonly string[], max: number, hint = moreHint('origin')): string {
  const all = items.join(', ');
  if (all.length <= max) return all;
  for (let kept = items.length - 1; ; kept--) {
    const head = items.slice(0, kept).join(', ');
    const out = `${head}${head ? ' ' : ''}… (+${items.length - kept} more; ${hint})`;
    if (out.length <= max || kept === 0) return out.slice(0, max);
  }
}

/** A single value within `max` characters (cut with an ellipsis, never silently). */
export function fitValue(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

export function mlflowExport(ctx: ExportContext): MlflowExport {
  const p = ctx.provenance;
  const s = p.session;
  const lic = p.licenses;
  const k = (name: string): string => `${ctx.prefix}.${name}`;
  const hint = moreHint(ctx.prefix);
  const sourceNames = [...new Set(p.sources.map((x) => x.source))];
  const recorded = [...new Set(p.sources.map((x) => x.license))];
  const tags: Record<string, string> = {
    [k('session_id')]: s.session_id,
    [k('session_root')]: p.integrity.session_root,
    [k('origins_root')]: p.integrity.origins_root,
    [k('session_head')]: p.integrity.session_head,
    [k('license')]: fitValue(lic.license, MLFLOW_TAG_MAX),
    [k('licenses')]: fitList(recorded, MLFLOW_TAG_MAX, hint),
    [k('use_category')]: lic.use_category,
    [k('intended_use')]: lic.use,
    [k('compatible')]: String(lic.compatible),
    [k('conflicts')]: String(lic.conflicts.length),
    [k('warnings')]: String(lic.warnings.length),
    [k('verify')]: fitValue(verifyCommand(ctx), MLFLOW_TAG_MAX),
    [k('generator')]: `${p.generator.name} ${p.generator.version}`,
  };
  const params: Record<string, string> = {
    [k('session_id')]: s.session_id,
    [k('session_root')]: p.integrity.session_root,
    [k('session_status')]: s.status,
    [k('started_at')]: s.started_at,
    [k('ended_at')]: s.ended_at ?? '',
    [k('records')]: String(s.records),
    [k('distinct_samples')]: String(s.distinct_samples),
    [k('duplicates')]: String(s.duplicates),
    [k('content_bytes')]: String(s.bytes),
    [k('batches')]: String(p.integrity.batches),
    [k('sources')]: String(sourceNames.length),
    [k('source_names')]: fitList(sourceNames, MLFLOW_PARAM_MAX, hint),
    [k('license')]: fitValue(lic.license, MLFLOW_PARAM_MAX),
    [k('intended_use')]: lic.use,
    [k('use_category')]: lic.use_category,
  };
  if (s.config_hash) params[k('config_hash')] = s.config_hash;
  const input: MlflowDatasetInput = {
    dataset: {
      name: `origin-session-${s.session_id}`,
      digest: p.integrity.session_root.slice(0, MLFLOW_DIGEST_MAX),
      source_type: 'origin',
      source: JSON.stringify({
        session_id: s.session_id,
        session_root: p.integrity.session_root,
        verify: verifyCommand(ctx),
      }),
      profile: JSON.stringify({
        num_rows: s.records,
        distinct_samples: s.distinct_samples,
        content_bytes: s.bytes,
      }),
    },
    tags: [{ key: 'mlflow.data.context', value: 'training' }],
  };
  return {
    tags,
    params,
    inputs: [input],
    artifacts: {
      [`${ctx.prefix}/provenance_card.md`]: renderCard(p),
      [`${ctx.prefix}/provenance.json`]: provenanceDocument(ctx),
    },
  };
}

export function renderMlflow(ctx: ExportContext): string {
  return `${JSON.stringify(mlflowExport(ctx), null, 2)}\n`;
}
