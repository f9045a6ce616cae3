/**
 * `wandb`: one JSON document for Weights & Biases:
 *
 *   {"config": {"origin": {session_id, session_root, records, …, sources: [...]}},
 *    "metadata": {"origin.session_id": …, "origin.session_root": …, …, "origin.sources": [...]}}
 *
 *   d = json.load(open("origin-wandb.json"))
 *   run = wandb.init(config=d["config"])            # or run.config.update(d["config"])
 *   art = wandb.Artifact("training-data", type="dataset", metadata=d["metadata"])
 */
import { ExportContext, verifyCommand } from './context';

export interface WandbSource {
  source: string;
  license: string;
  records: number;
  bytes: number;
  share: number;
  sha256: string;
}

export interface WandbOrigin {
  session_id: string;
  session_root: string;
  origins_root: string;
  session_head: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  records: number;
  distinct_samples: number;
  duplicates: number;
  content_bytes: number;
  batches: number;
  license: string;
  intended_use: string;
  use_category: string;
  compatible: boolean;
  conflicts: number;
  warnings: number;
  sources: WandbSource[];
  generator: string;
  generated_at: string;
}

export interface WandbExport {
  config: { origin: WandbOrigin };
  metadata: Record<string, string | number | boolean | null | WandbSource[] | string[]>;
}

export function wandbExport(ctx: ExportContext): WandbExport {
  const p = ctx.provenance;
  const s = p.session;
  const lic = p.licenses;
  const sources = p.sources.map((x) => ({
    source: x.source,
    license: x.license,
    records: x.records,
    bytes: x.bytes,
    share: x.share,
    sha256: x.sha256,
  }));
  const origin: WandbOrigin = {
    session_id: s.session_id,
    session_root: p.integrity.session_root,
    origins_root: p.integrity.origins_root,
    session_head: p.integrity.session_head,
    status: s.status,
    started_at: s.started_at,
    ended_at: s.ended_at,
    records: s.records,
    distinct_samples: s.distinct_samples,
    duplicates: s.duplicates,
    content_bytes: s.bytes,
    batches: p.integrity.batches,
    license: lic.license,
    intended_use: lic.use,
    use_category: lic.use_category,
    compatible: lic.compatible,
    conflicts: lic.conflicts.length,
    warnings: lic.warnings.length,
    sources,
    generator: `${p.generator.name} ${p.generator.version}`,
    generated_at: p.generated_at,
  };
  return {
    config: { origin },
    metadata: {
      'origin.session_id': s.session_id,
      'origin.session_root': p.integrity.session_root,
      'origin.origins_root': p.integrity.origins_root,
      'origin.session_head': p.integrity.session_head,
      'origin.records': s.records,
      'origin.distinct_samples': s.distinct_samples,
      'origin.content_bytes': s.bytes,
      'origin.license': lic.license,
      'origin.use_category': lic.use_category,
      'origin.compatible': lic.compatible,
      'origin.conflicts': lic.conflicts.map((f) => `${f.rule}: ${f.licenses.join(' + ')}`),
      'origin.warnings': lic.warnings.map((f) => `${f.rule}: ${f.licenses.join(' + ')}`),
      'origin.sources': sources,
      'origin.verify': verifyCommand(ctx),
      'origin.generated_at': p.generated_at,
    },
  };
}

export function renderWandb(ctx: ExportContext): string {
  return `${JSON.stringify(wandbExport(ctx), null, 2)}\n`;
}
