import { Args, Flags } from '@oclif/core';
import { OriginCommand, Rendering, notice } from '../base-command';
import { toOutputFile } from '../core/reports/export/sink';
import { renderCard } from '../core/reports/card';
import { projectTaxonomy } from '../core/licenses/report';
import { IntendedUse } from '../core/licenses';
import { SessionProvenance, sessionProvenance } from '../core/reports/provenance';
import { licenseFlags } from '../license-flags';

/** With -o: the file written. Else the card, with the provenance it was made from (--json). */
type CardResult = { session_id: string; output: string; bytes: number } | CardDocument;
type CardDocument = SessionProvenance & { card: string };

export default class Card extends OriginCommand<typeof Card, CardResult> {
  static override summary = 'Write the Markdown provenance card of a session.';
  static override description =
    'Session, summary, composition by source and license (records and content bytes, each with its share, and a ' +
    'mermaid pie of the content bytes), license analysis (resulting license, permissions, restrictions, conditions, ' +
    'use category, attribution, conflicts and warnings), integrity (roots and digests, what each is, and the ' +
    'commands that re-derive them) and lineage. Every recorded string is escaped, so it renders as text. Every figure comes from the store. The same store gives the same card byte for ' +
    'byte; set SOURCE_DATE_EPOCH to pin the generation time as well.';
  static override examples = [
    '<%= config.bin %> card 3f9a1c',
    '<%= config.bin %> card 3f9a1c -o PROVENANCE.md --intended-use research',
    'SOURCE_DATE_EPOCH=0 <%= config.bin %> card 3f9a1c --json',
  ];

  static override args = {
    session: Args.string({
      description: 'Session id or a unique prefix (6+ characters).',
      required: true,
    }),
  };
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Write the card to this file instead of stdout.' }),
    ...licenseFlags,
  };

  public async run(): Promise<CardResult> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    const { provenance, card } = await this.withStore('read', (store) => {
      const p = sessionProvenance(store, taxonomy, this.args.session, {
        version: this.config.version,
        use: this.flags['intended-use'] as IntendedUse | undefined,
      });
      return { provenance: p, card: renderCard(p) };
    });
    if (!this.flags.output) return { ...provenance, card };
    await toOutputFile(this.flags.output, this.dbPath, (sink) => sink.write(card));
    return {
      session_id: provenance.session.session_id,
      output: this.flags.output,
      bytes: Buffer.byteLength(card),
    };
  }

  protected override render(result: CardResult): Rendering {
    return 'card' in result ? result.card : notice(`Wrote ${result.output}`);
  }
}
