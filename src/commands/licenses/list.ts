import { Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { LicenseList, listLicenses } from '../../core/licenses/list';
import { projectTaxonomy } from '../../core/licenses/report';
import { licenseFlags } from '../../license-flags';
import { jsonDocument } from '../../render/output';
import { makeTable } from '../../render/table';

export default class LicensesList extends OriginCommand<typeof LicensesList, LicenseList> {
  static override summary = 'List the licenses of the taxonomy (built-in plus overlay).';
  static override examples = [
    '<%= config.bin %> licenses list',
    '<%= config.bin %> licenses list --family copyleft',
    '<%= config.bin %> licenses list --json',
  ];

  static override flags = {
    family: Flags.string({ summary: 'Only licenses of this family.' }),
    domain: Flags.string({
      summary: 'Only licenses of this domain (code, content, data, model, …).',
    }),
    licenses: licenseFlags.licenses,
  };

  public async run(): Promise<LicenseList> {
    const taxonomy = projectTaxonomy(this.dbPath, this.flags.licenses);
    return listLicenses(taxonomy, { family: this.flags.family, domain: this.flags.domain });
  }

  protected override renderJson(list: LicenseList): string {
    return jsonDocument(list.licenses);
  }

  protected override render({ licenses, files }: LicenseList): string {
    const table = makeTable(['Id', 'Name', 'Domain', 'Family', 'Copyleft', 'Commercial']);
    for (const l of licenses)
      table.push([l.id, l.name, l.domain, l.family, l.copyleft, l.commercial_use ? 'yes' : 'no']);
    return `${table.toString()}\n${licenses.length} licenses (${files.join(' + ')})`;
  }
}
