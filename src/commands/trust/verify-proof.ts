import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { OriginCommand } from '../../base-command';
import { ExitCode, ExitCodeValue, UsageError } from '../../core/errors';
import { ProofCheck, checkProof } from '../../core/samples/prove';

export default class VerifyProof extends OriginCommand<typeof VerifyProof, ProofCheck> {
  static override summary =
    'Check an inclusion or consistency proof offline, with no database; exit 3 if it is invalid.';
  static override description = [
    "Recomputes the root from the fingerprint, leaf_index, tree_size and audit path with SHA-256 alone (RFC 9162 §2.1.3.2) and compares it with the proof's root, and with --root when given (a root you trust from elsewhere: the proof's own root proves nothing by itself). Never opens or creates a database. Exit 0: valid; 3: invalid (wrong hash, malformed hex, index out of range, other root); 2: FILE is not JSON or lacks a field.",
    'A consistency proof (`origin prove --consistency`: size1, size2, root1, root2, path) is checked as RFC 9162 §2.1.4.2 says: the tree of size2 leaves with root2 extends the tree of size1 leaves with root1 without changing a leaf; size1 = 0 is refused. --root then pins root2. An inclusion proof may give its leaf as `leaf_hash` (the RFC 6962 leaf hash) instead of `fingerprint`, as transparency-dev’s test probes do.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> verify-proof proof.json',
    {
      description: 'Check against the session root published with the model:',
      command:
        '<%= config.bin %> verify-proof proof.json --root 9b4e0c1d5f2a7e8b3c6d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d',
    },
    '<%= config.bin %> prove 9f86d081 --session 3f9a1c | <%= config.bin %> verify-proof -',
    {
      description:
        'Check that the store log grew by appending only, from a store head noted earlier:',
      command:
        '<%= config.bin %> prove --consistency --from-size 2 | <%= config.bin %> verify-proof - --root 4a1f0c2d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
    },
  ];

  static override args = {
    file: Args.string({
      description: 'The proof file ("-" for stdin).',
      required: true,
      ignoreStdin: true,
    }),
  };

  static override flags = {
    root: Flags.string({ summary: 'The root the proof must lead to (64 hex).' }),
  };

  public async run(): Promise<ProofCheck> {
    const text = this.args.file === '-' ? await readStdin() : readProofFile(this.args.file);
    return checkProof(text, this.flags.root);
  }

  protected override render(result: ProofCheck): string {
    if (!result.valid) return `Proof INVALID: ${result.reason}`;
    if (result.kind === 'consistency') {
      const valid =
        `Proof valid: the tree of ${String(result.size2)} leaves with root ${String(result.root2)} extends the tree of ${String(result.size1)} leaves with root ${String(result.root1)}` +
        (result.root_matches ? ' (root2 is the --root given)' : '');
      if (result.not_checked === null) return valid;
      return [
        valid,
        'Checked: the path leads from root1 to root2 (RFC 9162 §2.1.4.2).',
        `Not checked: ${result.not_checked}.`,
        'Pass --root with the newer root from a store head, an attestation or `origin inspect SESSION`.',
      ].join('\n');
    }
    const valid =
      `Proof valid: ${String(result.fingerprint)} is leaf ${String(result.leaf_index)} of ${String(result.tree_size)} under root ${String(result.root)}` +
      (result.root_matches ? ' (the --root given)' : '') +
      (result.origin
        ? `\nObservation: recorded from source ${JSON.stringify(result.origin.source)} under license ${JSON.stringify(result.origin.license)}, leaf ${String(result.leaf_index)} of origins root ${result.origin.origins_root} (SPEC §2.1)`
        : '');
    if (result.not_checked === null) return valid;
    return [
      valid,
      "Checked: the audit path leads from the fingerprint to the proof's own root (RFC 9162 §2.1.3.2).",
      `Not checked: ${result.not_checked}.`,
      'Pass --root with the session root from the provenance card, an attestation or `origin inspect SESSION`.',
    ].join('\n');
  }

  protected override exitCode(result: ProofCheck): ExitCodeValue | undefined {
    return result.valid ? undefined : ExitCode.VERIFY_FAILED;
  }
}

function readProofFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the proof ${path}: ${(err as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
