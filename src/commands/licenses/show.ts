import { Args } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { projectTaxonomy } from '../../core/licenses/report';
import { UsageError } from '../../core/errors';
import { License, findLicense, suggestExpression } from '../../core/licenses';
import { licenseFlags } from '../../license-flags';
import { keyValueLines } from '../../render/output';

export default class LicensesShow extends OriginCommand<typeof LicensesShow, License> {
  static override summary =
    'Explain one license: its family, permissions, restrictions, conditions and copyleft.';
  static override examples = [
    '<%= config.bin %> licenses show GPL-3.0-or-later',
    '<%= config.bin %> licenses show cc-by-nc-4.0 --json',
  ];

  static override args = {
    id: Args.string({ description: 'License id or alias (any case).', required: true }),
  };
  static override flags = { licenses: licenseFlags.licenses };

  public async run(): Promise<License> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    const l = findLicense(taxonomy, this.args.id);
    if (!l) {
      const suggestion = suggestExpression(this.args.id, taxonomy);
      throw new UsageError(
        `license "${this.args.id}" is not in the taxonomy`,
        suggestion
          ? `did you mean "${suggestion}"?`
          : 'see `origin licenses list`, or add it in an overlay (--licenses FILE)',
      );
    }
    return l;
  }

  protected override render(l: License): string {
    const list = (xs: readonly string[]): string => (xs.length ? xs.join(', ') : '—');
    return keyValueLines([
      ['Id', l.id],
      ['Name', l.name],
      ['URL', l.url ?? '—'],
      ['Domain', l.domain],
      ['Family', l.family],
      ['Permissions', list(l.permissions)],
      ['Restrictions', list(l.restrictions)],
      ['Conditions', list(l.conditions)],
      ['Copyleft', l.copyleft],
      ['Commercial use', l.commercial_use ? 'yes' : 'no'],
      ['Attribution', l.attribution ? 'required' : 'no'],
      ['Share-alike', l.share_alike ? 'yes' : 'no'],
      ['No derivatives', l.no_derivatives ? 'yes' : 'no'],
      ['Usable as', list(l.or_later)],
      ['Aliases', list(l.aliases)],
      ['Defined at', l.defined_at],
    ]);
  }
}
