// The licenses of a taxonomy, filtered by family and domain (`origin licenses list`).
import { UsageError } from '../errors';
import { didYouMean } from '../suggest';
import { Taxonomy } from './types';

export interface LicenseRow {
  id: string;
  name: string;
  domain: string;
  family: string;
  copyleft: string;
  commercial_use: boolean;
}

export interface LicenseList {
  licenses: LicenseRow[];
  /** The taxonomy files the rows come from, base first. */
  files: readonly string[];
}

export interface LicenseFilter {
  family?: string;
  domain?: string;
}

/**
 * Every license of the taxonomy, or those of one family and/or domain. A family or domain the
 * taxonomy does not define is a usage error listing the ones it does (an overlay may add more),
 * never an empty list.
 */
export function listLicenses(taxonomy: Taxonomy, filter: LicenseFilter = {}): LicenseList {
  checkValue('family', filter.family, taxonomy.families);
  checkValue('domain', filter.domain, taxonomy.domains);
  const rows = [...taxonomy.licenses.values()].filter(
    (l) =>
      (filter.family === undefined || l.family === filter.family) &&
      (filter.domain === undefined || l.domain === filter.domain),
  );
  return {
    licenses: rows.map((l) => ({
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

function checkValue(what: string, value: string | undefined, valid: readonly string[]): void {
  if (value === undefined || valid.includes(value)) return;
  throw new UsageError(
    `--${what} ${JSON.stringify(value)} is not a ${what} of the license taxonomy.${didYouMean(value, valid)}`,
    `valid values: ${valid.join(', ')} (an overlay can add ${what === 'family' ? 'families' : 'domains'})`,
  );
}
