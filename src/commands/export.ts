import { Args, Flags } from '@oclif/core';
import { OriginCommand } from '../base-command';
import { EXPORT_FORMATS, ExportFormat, exportSession } from '../core/export';
import { projectTaxonomy } from '../core/license-report';
import { IntendedUse } from '../core/licenses';
import { licenseFlags } from '../license-flags';

export default class Export extends OriginCommand<typeof Export> {
  static override summary = 'Export the provenance of a session for auditors and ML tools.';
  static override description = `Every figure comes from the store. The same store gives the same bytes; set SOURCE_DATE_EPOCH to pin the generation time as well. With -o the file is written atomically (temp file, fsync, rename).

Formats:
  json        Everything about the session in one document: summary, sources with the SHA-256 of their fingerprints, license propagation, integrity roots, and every batch with its RFC 6962 root.
  jsonl       The same as JSON Lines, streamed for sessions too big for one document: one {"type":"session"} header, then {"type":"source"} lines, {"type":"batch"} lines, and one {"type":"observation","position","batch","fingerprint","size","source","license"} line per observation.
  mlflow      {"tags": {…}, "params": {…}, "artifacts": {"origin/provenance_card.md": "<card>", "origin/provenance.json": {…}}}; tag and param values are strings, params at most 500 characters. In Python:
                d = json.load(open("origin-mlflow.json"))
                mlflow.set_tags(d["tags"]); mlflow.log_params(d["params"])
                for path, a in d["artifacts"].items():
                    mlflow.log_text(a, path) if isinstance(a, str) else mlflow.log_dict(a, path)
  wandb       {"config": {"origin": {…}}, "metadata": {…}}: wandb.init(config=d["config"]) (or run.config.update) and wandb.Artifact(…, metadata=d["metadata"]).
  hf          A Hugging Face dataset/model card fragment: YAML front matter with the Hub's license ids (a list when several apply; "other" with license_name and license_link when a license has none) and tags, then a "## Provenance" section. --json gives {"card_data", "content"}.
  spdx        SPDX 3.0.1 JSON-LD: a dataset_DatasetPackage per source (verified by the SHA-256 of its fingerprints) and one for the session (verified by the session root, an RFC 6962 Merkle tree head), license expressions with hasDeclaredLicense/hasConcludedLicense, and "contains" from the session to its sources.
  cyclonedx   CycloneDX 1.6 JSON: the session as the metadata component (hash: the session root), one "data" component per source with its licenses and hash, dependencies.
  eu-ai-act   A draft of the EU AI Office's Template for the Public Summary of Training Content (Art. 53(1)(d) AI Act), Markdown (or JSON with --json): what the store knows filled in, everything else marked "to be completed by the provider".`;
  static override examples = [
    '<%= config.bin %> export 3f9a1c --format json -o provenance.json',
    '<%= config.bin %> export 3f9a1c --format jsonl | gzip > observations.jsonl.gz',
    '<%= config.bin %> export 3f9a1c --format mlflow -o origin-mlflow.json',
    '<%= config.bin %> export 3f9a1c --format wandb -o origin-wandb.json',
    '<%= config.bin %> export 3f9a1c --format hf >> README.md',
    '<%= config.bin %> export 3f9a1c --format spdx -o training-data.spdx.json',
    '<%= config.bin %> export 3f9a1c --format cyclonedx -o training-data.cdx.json',
    '<%= config.bin %> export 3f9a1c --format eu-ai-act -o training-content-summary.md',
    'SOURCE_DATE_EPOCH=0 <%= config.bin %> export 3f9a1c --format cyclonedx',
  ];

  static override args = {
    session: Args.string({
      description: 'Session id or a unique prefix (6+ characters).',
      required: true,
    }),
  };
  static override flags = {
    format: Flags.string({
      char: 'f',
      summary: 'Output format.',
      options: [...EXPORT_FORMATS],
      required: true,
    }),
    output: Flags.string({
      char: 'o',
      summary: 'Write to this file (atomically) instead of stdout.',
    }),
    ...licenseFlags,
  };

  public async run(): Promise<void> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    const result = await this.withStore('read', (store) =>
      exportSession(store, taxonomy, {
        format: this.flags.format as ExportFormat,
        session: this.args.session,
        version: this.config.version,
        use: this.flags['intended-use'] as IntendedUse | undefined,
        json: this.flags.json,
        output: this.flags.output,
      }),
    );
    if (this.flags.output) {
      this.output(result, () => `Wrote ${this.flags.output} (${this.flags.format})`);
    }
  }
}
