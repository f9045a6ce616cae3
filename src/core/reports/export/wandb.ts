/**
 * `wandb`: one JSON document for Weights & Biases:
 *
 *   {"config": {"origin": {session_id, session_root, records, …, sources: [...]}},
 *    "metadata": {"origin.session_id": …, "origin.session_root": …, …, "origin.sources": [...]}}
 *
 * `origin` is the key prefix; --prefix gives another, so a second session logged into the same
 * run has config and metadata keys of its own (W&B refuses to change a config value).
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
  record_share: number;
  byte_share: number;
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
  /** `{<prefix>: {…}}`: one config key per prefix, so several sessions fit one run. */
  config: Record<string, WandbOrigin>;
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
    record_share: x.record_share,
    byte_share: x.byte_share,
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
  const k = (name: string): string => `${ctx.prefix}.${name}`;
  return {
    config: { [ctx.prefix]: origin },
    metadata: {
      [k('session_id')]: s.session_id,
      [k('session_root')]: p.integrity.session_root,
      [k('origins_root')]: p.integrity.origins_root,
      [k('session_head')]: p.integrity.session_head,
      [k('records')]: s.records,
      [k('distinct_samples')]: s.distinct_samples,
      [k('content_bytes')]: s.bytes,
      [k('license')]: lic.license,
      [k('use_category')]: lic.use_category,
      [k('compatible')]: lic.compatible,
      [k('conflicts')]: lic.conflicts.map((f) => `${f.rule}: ${f.licenses.join(' + ')}`),
      [k('warnings')]: lic.warnings.map((f) => `${f.rule}: ${f.licenses.join(' + ')}`),
      [k('sources')]: sources,
      [k('verify')]: verifyCommand(ctx),
      [k('generated_at')]: p.generated_at,
    },
  };
}

export function renderWandb(ctx: ExportContext): string {
  return `${JSON.stringify(wandbExport(ctx), null, 2)}\n`;
}
