import { Args, Flags } from '@oclif/core';
import { OriginCommand, Rendering, notice } from '../base-command';
import { EXPORT_FORMATS, ExportFormat, ExportResult, exportSession } from '../core/reports/export';
import { projectTaxonomy } from '../core/licenses/report';
import { IntendedUse } from '../core/licenses';
import { licenseFlags } from '../license-flags';

export default class Export extends OriginCommand<typeof Export, ExportResult> {
  static override summary = 'Export the provenance of a session for auditors and ML tools.';
  static override description = `Every figure comes from the store. The same store gives the same bytes; set SOURCE_DATE_EPOCH to pin the generation time as well. With -o the file is written atomically (temp file, fsync, rename). The formats:

json: everything about the session in one document (format_version 2): summary, sources with their record_share and byte_share and the SHA-256 of their fingerprints, license propagation, integrity roots, and every batch with its RFC 6962 root.

jsonl: the same as JSON Lines, streamed, for sessions too big for one document: a {"type":"session",…} header, then {"type":"source",…} lines, {"type":"batch",…} lines, and one {"type":"observation","position","batch","fingerprint","size","source","license"} line per observation.

mlflow: {"tags": {"origin.session_id", "origin.session_root", "origin.license", …}, "params": {…}, "inputs": [{"dataset": {"name", "digest", "source_type", "source", "profile"}, "tags": [{"key": "mlflow.data.context", "value": "training"}]}], "artifacts": {"origin/provenance_card.md": "<card>", "origin/provenance.json": {…}}}. Tag and param values are strings; params are at most 500 characters; the dataset digest is the first 36 hex digits of the session root (MLflow's limit), its source the whole root. In Python: d = json.load(open(FILE)); mlflow.set_tags(d["tags"]); mlflow.log_params(d["params"]); MlflowClient().log_inputs(run_id, [DatasetInput(Dataset(**i["dataset"]), [InputTag(**t) for t in i["tags"]]) for i in d["inputs"]]); then mlflow.log_text(a, path) for each text artifact and mlflow.log_dict(a, path) for each object. --prefix changes "origin" in every key.

wandb: {"config": {"origin": {…}}, "metadata": {"origin.…": …}} ("origin" is the --prefix), for wandb.init(config=d["config"]) or run.config.update(d["config"]), and wandb.Artifact(name, type="dataset", metadata=d["metadata"]).

hf: a Hugging Face dataset or model card fragment: YAML front matter with the Hub's license ids (a list when several apply; "other" for a license the Hub has no id for, or one with an exception, with license_name and license_link: its name and link, or "several-licenses" and a link to the section that lists them), and tags: [origin-provenance], then a "## Provenance" section whose SPDX columns hold SPDX expressions (the recorded string beside them). With --json: {"card_data", "content"}.

spdx: SPDX 3.0.1 JSON-LD: a dataset_DatasetPackage per source (verified by the SHA-256 of its fingerprints) and one for the session (verified by the session root, an RFC 6962 Merkle tree head); both Hashes have algorithm "other", since neither is a SHA-256 of the package's bytes. A license expression per license: hasDeclaredLicense is the license as recorded (a LicenseRef made from it when it was no SPDX expression), hasConcludedLicense how Origin read it, and every LicenseRef is mapped by simplelicensing_customIdToUri to a SimpleLicensingText. The session "contains" its sources, and an ai_AIPackage per training event built on the session (lineage) with trainedOn and testedOn relationships.

cyclonedx: CycloneDX 1.6 JSON: the session as the metadata component (the session root as a property: it is no hash of the data's bytes), one "data" component per source with its licenses (declared as recorded, and concluded when Origin corrected the string), the SHA-256 of its fingerprints as a property, and a "distribution" external reference when the source name is a URL, one "machine-learning-model" component per training event built on the session (lineage) whose modelCard names the session as its dataset, and dependencies.

eu-ai-act: a draft of the EU AI Office's Template for the Public Summary of Training Content of general-purpose AI models (Art. 53(1)(d) AI Act), in Markdown (JSON with --json): the header (version, last update), 1.1–1.3, 2.1–2.6 with the template's Yes/No questions and fields, and 3.1–3.3; what the store knows is filled in (sources, sizes and shares, the sources above 3% of the content bytes, the domains of URL sources, deduplication, licenses, roots), everything else is marked "to be completed by the provider" (modalities Origin cannot know included, never shown as absent).`;
  static override examples = [
    '<%= config.bin %> export 3f9a1c --format json -o provenance.json',
    '<%= config.bin %> export 3f9a1c --format jsonl | gzip > observations.jsonl.gz',
    '<%= config.bin %> export 3f9a1c --format mlflow -o origin-mlflow.json',
    '<%= config.bin %> export 3f9a1c --format wandb -o origin-wandb.json',
    '<%= config.bin %> export 3f9a1c --format mlflow --prefix origin.finetune -o finetune-mlflow.json',
    '<%= config.bin %> export 3f9a1c --format hf -o dataset-card.md',
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
    prefix: Flags.string({
      summary: 'mlflow and wandb: start every key with this instead of "origin".',
      description:
        'MLflow refuses to change a logged param and W&B a config value, so a second session logged into the same run needs keys of its own: --prefix origin.finetune gives origin.finetune.session_id, …, the artifacts origin.finetune/provenance_card.md and the W&B config key "origin.finetune".',
    }),
    ...licenseFlags,
  };

  /** Without -o the export itself went to stdout: nothing more to print. */
  public async run(): Promise<ExportResult | undefined> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    const result = await this.withStore('read', (store) =>
      exportSession(store, taxonomy, {
        format: this.flags.format as ExportFormat,
        session: this.args.session,
        version: this.config.version,
        use: this.flags['intended-use'] as IntendedUse | undefined,
        json: this.flags.json,
        prefix: this.flags.prefix,
        output: this.flags.output,
        db: this.dbPath,
      }),
    );
    return this.flags.output ? result : undefined;
  }

  protected override render(result: ExportResult): Rendering {
    return notice(`Wrote ${result.output} (${result.format})`);
  }
}
