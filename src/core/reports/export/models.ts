/**
 * The models a session's data went into, as the BOM exports state them: each training event
 * that descends from a dataset event linking the session, with its hyper-parameters and the
 * evaluations recorded on it.
 */
import { JsonValue } from '../../lineage';
import { LineageLink } from '../provenance';
import { ExportContext } from './context';

export interface ModelEvaluation {
  hash: string;
  timestamp: string;
  split: string | null;
  metrics: [name: string, value: number][];
  /** The dataset event it names, if any. */
  dataset: string | null;
  /** That dataset event links this session: the model was tested on (part of) this data. */
  on_session: boolean;
}

export interface TrainedModel {
  /** The training event's hash. */
  hash: string;
  timestamp: string;
  name: string;
  version: string | null;
  run_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  params: [key: string, value: string][];
  /** This session's dataset events it was trained on. */
  datasets: string[];
  evaluations: ModelEvaluation[];
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

const scalar = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function trainedModels(ctx: ExportContext): TrainedModel[] {
  const lineage = ctx.provenance.lineage;
  const byHash = new Map<string, LineageLink>(lineage.map((e) => [e.hash, e]));
  const models = lineage
    .filter((e) => e.type === 'training')
    .map((e): TrainedModel => {
      const p = e.payload;
      const params = p.params !== null && typeof p.params === 'object' && !Array.isArray(p.params);
      return {
        hash: e.hash,
        timestamp: e.timestamp,
        name: str(p.model) ?? str(p.run_id) ?? `training ${e.hash.slice(0, 12)}`,
        version: str(p.model_version),
        run_id: str(p.run_id),
        started_at: str(p.started_at),
        finished_at: str(p.finished_at),
        params: params
          ? Object.entries(p.params as Record<string, JsonValue>).map(([k, v]) => [k, scalar(v)])
          : [],
        datasets: e.via_datasets,
        evaluations: [],
      };
    });
  const model = new Map(models.map((m) => [m.hash, m]));
  for (const e of lineage) {
    if (e.type !== 'evaluation') continue;
    const dataset = str(e.payload.dataset);
    const metrics = e.payload.metrics;
    const evaluation: ModelEvaluation = {
      hash: e.hash,
      timestamp: e.timestamp,
      split: str(e.payload.split),
      metrics:
        metrics !== null && typeof metrics === 'object' && !Array.isArray(metrics)
          ? Object.entries(metrics).flatMap(([k, v]) => (typeof v === 'number' ? [[k, v]] : []))
          : [],
      dataset,
      on_session: dataset !== null && byHash.get(dataset)?.links_session === true,
    };
    for (const parent of e.parents) model.get(parent)?.evaluations.push(evaluation);
  }
  return models;
}
