/**
 * `mlflow`: one JSON document shaped for the MLflow client:
 *
 *   {"tags": {"origin.session_id": …, "origin.session_root": …, "origin.license": …, …},
 *    "params": {"origin.records": …, …},
 *    "artifacts": {"origin/provenance_card.md": "<Markdown>", "origin/provenance.json": {…}}}
 *
 * Every tag and param value is a string; params stay within 500 characters (MLflow's oldest
 * limit), tags within 5,000. Use it as:
 *
 *   d = json.load(open("origin-mlflow.json"))
 *   mlflow.set_tags(d["tags"]); mlflow.log_params(d["params"])
 *   for path, a in d["artifacts"].items():
 *       mlflow.log_text(a, path) if isinstance(a, str) else mlflow.log_dict(a, path)
 */
import { renderCard } from '../card';
import { ExportContext, verifyCommand } from './context';
import { ProvenanceDocument, provenanceDocument } from './json';

export const MLFLOW_PARAM_MAX = 500;
export const MLFLOW_TAG_MAX = 5000;

export interface MlflowExport {
  tags: Record<string, string>;
  params: Record<string, string>;
  artifacts: {
    'origin/provenance_card.md': string;
    'origin/provenance.json': ProvenanceDocument;
  };
}

const MORE_HINT = 'see origin/provenance.json';

/** Joins items with ", " within `max` characters, saying how many were left out. */
export function fitList(items: readonly string[], max: number): string {
  const all = items.join(', ');
  if (all.length <= max) return all;
  for (let kept = items.length - 1; ; kept--) {
    const head = items.slice(0, kept).join(', ');
    const out = `${head}${head ? ' ' : ''}… (+${items.length - kept} more; ${MORE_HINT})`;
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
  const sourceNames = [...new Set(p.sources.map((x) => x.source))];
  const recorded = [...new Set(p.sources.map((x) => x.license))];
  const tags: Record<string, string> = {
    'origin.session_id': s.session_id,
    'origin.session_root': p.integrity.session_root,
    'origin.origins_root': p.integrity.origins_root,
    'origin.session_head': p.integrity.session_head,
    'origin.license': fitValue(lic.license, MLFLOW_TAG_MAX),
    'origin.licenses': fitList(recorded, MLFLOW_TAG_MAX),
    'origin.use_category': lic.use_category,
    'origin.intended_use': lic.use,
    'origin.compatible': String(lic.compatible),
    'origin.conflicts': String(lic.conflicts.length),
    'origin.warnings': String(lic.warnings.length),
    'origin.verify': fitValue(verifyCommand(ctx), MLFLOW_TAG_MAX),
    'origin.generator': `${p.generator.name} ${p.generator.version}`,
  };
  const params: Record<string, string> = {
    'origin.session_id': s.session_id,
    'origin.session_root': p.integrity.session_root,
    'origin.session_status': s.status,
    'origin.started_at': s.started_at,
    'origin.ended_at': s.ended_at ?? '',
    'origin.records': String(s.records),
    'origin.distinct_samples': String(s.distinct_samples),
    'origin.duplicates': String(s.duplicates),
    'origin.content_bytes': String(s.bytes),
    'origin.batches': String(p.integrity.batches),
    'origin.sources': String(sourceNames.length),
    'origin.source_names': fitList(sourceNames, MLFLOW_PARAM_MAX),
    'origin.license': fitValue(lic.license, MLFLOW_PARAM_MAX),
    'origin.intended_use': lic.use,
    'origin.use_category': lic.use_category,
  };
  if (s.config_hash) params['origin.config_hash'] = s.config_hash;
  return {
    tags,
    params,
    artifacts: {
      'origin/provenance_card.md': renderCard(p),
      'origin/provenance.json': provenanceDocument(ctx),
    },
  };
}

export function renderMlflow(ctx: ExportContext): string {
  return `${JSON.stringify(mlflowExport(ctx), null, 2)}\n`;
}
