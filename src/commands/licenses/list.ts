import { Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { projectTaxonomy } from '../../core/licenses/report';
import { licenseFlags } from '../../license-flags';
import { jsonDocument } from '../../render/output';
import { makeTable } from '../../render/table';

interface LicenseRow {
  id: string;
  name: string;
  domain: string;
  family: string;
  copyleft: string;
  commercial_use: boolean;
}

/** --json prints the rows; people also see which taxonomy files they come from. */
interface LicenseList {
  licenses: LicenseRow[];
  files: readonly string[];
}

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
    const licenses = [...taxonomy.licenses.values()].filter(
      (l) =>
        (!this.flags.family || l.family === this.flags.family) &&
        (!this.flags.domain || l.domain === this.flags.domain),
    );
    return {
      licenses: licenses.map((l) => ({
        id: l.id,
        name: l.name,
        domain: l.domain,
        family: l.family,
        copyleft: l.copyleft,
        commercial_use: l.commercial_use,
      })),
      files: taxonomy.files,
    };
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
