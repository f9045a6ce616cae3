import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { OriginCommand, Rendering, notice } from '../base-command';
import { toOutputFile } from '../core/reports/export/sink';
import { InclusionProof, buildProof } from '../core/samples/prove';
import { jsonDocument } from '../render/output';

/** The proof; with -o, the file it was written to as well. */
type ProveResult = InclusionProof | (InclusionProof & { file: string });

export default class Prove extends OriginCommand<typeof Prove, ProveResult> {
  static override summary =
    'Write an inclusion proof that a sample is in a session root (RFC 9162 §2.1.3).';
  static override description = [
    "The proof holds leaf_index, tree_size, fingerprint, root and the audit path (hex): anyone can check it with `origin verify-proof`, or with a few lines of SHA-256, without the database. It proves the sample's first observation in the session against the stored session root. SAMPLE is named as in `origin trace` (fingerprint, 8+ hex prefix, --text or --record). Exit 2 when the sample is not in the session; 3 when the stored root no longer matches the observations.",
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> prove 9f86d081884c7d65 --session 3f9a1c -o proof.json',
    {
      description: 'Prove a text was trained on, then check the proof anywhere:',
      command:
        '<%= config.bin %> prove --text "hello world" --session 3f9a1c > proof.json && <%= config.bin %> verify-proof proof.json',
    },
  ];

  static override args = {
    sample: Args.string({ description: 'Fingerprint (64 hex) or a unique prefix (8+ hex).' }),
  };

  static override flags = {
    session: Flags.string({
      summary: 'The session whose root the proof is against.',
      required: true,
    }),
    output: Flags.string({ char: 'o', summary: 'Write the proof to this file (default: stdout).' }),
    text: Flags.string({
      summary: 'Prove this text (UTF-8) instead of a fingerprint.',
      exclusive: ['record'],
    }),
    record: Flags.string({
      summary: 'Prove this JSON record (fingerprinted in RFC 8785 form).',
      exclusive: ['text'],
    }),
  };

  public async run(): Promise<ProveResult> {
    const proof = await this.withStore('read', (store) =>
      buildProof(store, this.flags.session, {
        sample: this.args.sample,
        text: this.flags.text,
        record: this.flags.record,
      }),
    );
    if (this.flags.output === undefined) return proof;
    const file = resolve(this.flags.output);
    await toOutputFile(file, this.dbPath, (sink) => sink.write(jsonDocument(proof)));
    return { ...proof, file };
  }

  /** Without -o the proof itself is the output, the same JSON as with --json. */
  protected override render(result: ProveResult): Rendering {
    if (!('file' in result)) return jsonDocument(result);
    return notice(
      `Wrote the inclusion proof of leaf ${result.leaf_index} of ${result.tree_size} in session ${result.session_id} to ${result.file}`,
    );
  }
}
