import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { OriginCommand, Rendering, notice } from '../../base-command';
import { toOutputFile } from '../../core/reports/export/sink';
import { InclusionProof, buildProof } from '../../core/samples/prove';
import { ConsistencyProof, buildConsistency } from '../../core/proofs/consistency';
import { UsageError } from '../../core/errors';
import { jsonDocument } from '../../render/output';

/** The proof; with -o, the file it was written to as well. */
type Proof = InclusionProof | ConsistencyProof;
type ProveResult = Proof | (Proof & { file: string });

export default class Prove extends OriginCommand<typeof Prove, ProveResult> {
  static override summary =
    'Write an inclusion proof that a sample is in a session root (RFC 9162 §2.1.3), or a consistency proof (§2.1.4).';
  static override description = [
    "The proof holds leaf_index, tree_size, fingerprint, root and the audit path (hex): anyone can check it with `origin verify-proof`, or with a few lines of SHA-256, without the database. It proves the sample's first observation in the session against the stored session root, and (as an observation proof, SPEC §2.1) the same leaf of the origins tree: the source and license it was recorded under, against the stored origins root. SAMPLE is named as in `origin trace` (fingerprint, 8+ hex prefix, --text or --record). Exit 2 when the sample is not in the session; 3 when the stored root no longer matches the observations.",
    'With --consistency --from-size N: a consistency proof that the tree of N leaves is a prefix of the current one — of the session given with --session (appended over several ingests), or without --session of the store log (SPEC §2.4), whose store head `origin status` prints. Check it with `origin verify-proof`.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> prove 9f86d081884c7d65 --session 3f9a1c -o proof.json',
    {
      description: 'Prove a text was trained on, then check the proof anywhere:',
      command:
        '<%= config.bin %> prove --text "hello world" --session 3f9a1c > proof.json && <%= config.bin %> verify-proof proof.json',
    },
    {
      description:
        'Show that a session only grew since it had 1000 observations (or, without --session, the store log since size 2):',
      command:
        '<%= config.bin %> prove --consistency --from-size 1000 --session 3f9a1c -o consistency.json',
    },
  ];

  static override args = {
    sample: Args.string({ description: 'Fingerprint (64 hex) or a unique prefix (8+ hex).' }),
  };

  static override flags = {
    session: Flags.string({
      summary:
        'The session whose root the proof is against (with --consistency: leave it out for the store log).',
    }),
    consistency: Flags.boolean({
      summary: 'Write a consistency proof (RFC 9162 §2.1.4) from the tree of --from-size leaves.',
      dependsOn: ['from-size'],
    }),
    'from-size': Flags.integer({
      summary: 'The size of the older tree (its tree_size) for --consistency.',
      dependsOn: ['consistency'],
      min: 1,
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
    const { session, consistency } = this.flags;
    if (consistency && (this.args.sample || this.flags.text || this.flags.record)) {
      throw new UsageError(
        '--consistency proves a tree, not a sample: leave SAMPLE, --text and --record out',
      );
    }
    if (!consistency && session === undefined) {
      throw new UsageError(
        'an inclusion proof needs --session',
        'give the session the sample was recorded in',
      );
    }
    const proof: Proof = await this.withStore('read', (store) =>
      consistency
        ? buildConsistency(store, { session, fromSize: this.flags['from-size'] as number })
        : buildProof(store, session as string, {
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
    if ('kind' in result) {
      return notice(
        `Wrote the consistency proof from size ${result.size1} to ${result.size2} of ${result.session_id ? `session ${result.session_id}` : 'the store log'} to ${result.file}`,
      );
    }
    return notice(
      `Wrote the inclusion proof of leaf ${result.leaf_index} of ${result.tree_size} in session ${result.session_id} to ${result.file}`,
    );
  }
}
