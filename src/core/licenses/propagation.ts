import { UsageError } from '../errors';
import {
  Choice,
  EffectiveLicense,
  Finding,
  Resolution,
  checkCompatibility,
  commonLicense,
} from './compatibility';
import { ParsedExpression, parseExpression } from './expression';
import { globTest, sessionMatches } from './globs';
import { COPYLEFT_LEVELS, Copyleft, IntendedUse, Taxonomy } from './types';

/** Aggregated counts: how many records (and bytes) of a source carry a license expression. */
export interface LicenseCount {
  source: string;
  /** An SPDX expression (or Hugging Face id); empty means NOASSERTION. */
  license: string;
  records: number;
  bytes: number;
}

export type UseCategory = 'commercial' | 'non-commercial' | 'academic-only' | 'unspecified';

export interface Share {
  records: number;
  bytes: number;
  sources: readonly string[];
}

export interface LicenseShare extends Share {
  /** Key of the license (`id`, or `id WITH exception`). */
  license: string;
  name: string;
  url: string | null;
}

export interface SourceShare {
  source: string;
  /** The normalised expressions recorded for the source. */
  licenses: readonly string[];
  records: number;
  bytes: number;
}

export interface Involvement extends Share {
  license: string;
}

export interface PropagatedFinding extends Finding, Share {
  /** Per license of the finding: the sources and counts that carry it. */
  involved: readonly Involvement[];
}

export interface ShareAlikeObligation extends LicenseShare {
  /** The license the share-alike material can all be released under, or null when there is none. */
  target: string | null;
}

export interface PropagationResult {
  use: IntendedUse;
  use_category: UseCategory;
  /** A single SPDX expression for the whole, or "mixed" (conflicts, or unknown terms alongside others). */
  license: string;
  compatible: boolean;
  /** Granted by every license (intersection). */
  permissions: readonly string[];
  /** Imposed by any license (union). */
  restrictions: readonly string[];
  /** Required by any license (union). */
  conditions: readonly string[];
  copyleft: Copyleft;
  totals: { records: number; bytes: number; sources: number };
  /** Records and bytes per license; a record under `A AND B` counts under both. */
  by_license: readonly LicenseShare[];
  by_source: readonly SourceShare[];
  attribution: readonly LicenseShare[];
  share_alike: readonly ShareAlikeObligation[];
  share_alike_target: string | null;
  conflicts: readonly PropagatedFinding[];
  warnings: readonly PropagatedFinding[];
  choices: readonly Choice[];
  resolutions: readonly Resolution[];
}

export interface PropagationOptions {
  /** Intended use; default: the taxonomy's settings.default_use. */
  use?: IntendedUse;
  /** The session's metadata, for rules that match on it (`when.session`); default: none. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Carries licenses from sources to the whole: what the combined data may be used for, what it
 * obliges, what it is licensed as, and which rules it breaks, with the sources and counts
 * involved. Works on aggregated counts only, so its cost depends on the number of distinct
 * (source, license) rows, never on the number of samples.
 */
export function propagate(
  allRules: Taxonomy,
  counts: readonly LicenseCount[],
  options: PropagationOptions = {},
): PropagationResult {
  counts.forEach(checkCount);
  // Rules that match on session metadata apply only in the sessions they name.
  const metadata = options.metadata ?? {};
  const taxonomy: Taxonomy = allRules.rules.some((rule) => rule.session)
    ? {
        ...allRules,
        rules: allRules.rules.filter((rule) => sessionMatches(rule.session, metadata)),
      }
    : allRules;
  const parsedByText = new Map<string, ParsedExpression>();
  const parse = (text: string): ParsedExpression => {
    const key = text.trim() === '' ? 'NOASSERTION' : text;
    let parsed = parsedByText.get(key);
    if (!parsed) {
      parsed = parseExpression(key, taxonomy);
      parsedByText.set(key, parsed);
    }
    return parsed;
  };
  const rows = counts.map((count) => ({ ...count, parsed: parse(count.license) }));
  const report = checkCompatibility(taxonomy, [...parsedByText.values()], { use: options.use });
  const keysByExpression = new Map(report.items.map((item) => [item.expression, item.licenses]));
  const rowKeys = rows.map((row) => keysByExpression.get(row.parsed.expression) ?? []);

  // Counts per license and per source.
  const perLicense = new Map<string, Accumulator>();
  const perSource = new Map<string, { licenses: Set<string>; records: number; bytes: number }>();
  rows.forEach((row, i) => {
    for (const key of rowKeys[i]) {
      const acc = perLicense.get(key) ?? newAccumulator();
      add(acc, row);
      perLicense.set(key, acc);
    }
    const source = perSource.get(row.source) ?? {
      licenses: new Set<string>(),
      records: 0,
      bytes: 0,
    };
    source.licenses.add(row.parsed.expression);
    source.records += row.records;
    source.bytes += row.bytes;
    perSource.set(row.source, source);
  });
  const share = (license: EffectiveLicense): LicenseShare => ({
    license: license.key,
    name: license.name,
    url: license.url,
    ...finish(perLicense.get(license.key) ?? newAccumulator()),
  });

  const licenses = report.licenses;
  const vocabulary = taxonomy.vocabulary;
  const permissions = ordered(
    vocabulary.permissions,
    licenses.length === 0
      ? []
      : licenses[0].permissions.filter((word) =>
          licenses.every((l) => l.permissions.includes(word)),
        ),
  );
  const restrictions = ordered(
    vocabulary.restrictions,
    licenses.flatMap((l) => l.restrictions),
  );
  const conditions = ordered(
    vocabulary.conditions,
    licenses.flatMap((l) => l.conditions),
  );
  const copyleft = licenses.reduce<Copyleft>(
    (max, l) =>
      COPYLEFT_LEVELS.indexOf(l.copyleft) > COPYLEFT_LEVELS.indexOf(max) ? l.copyleft : max,
    'none',
  );

  const copyleftGroup = licenses.filter((l) => l.share_alike || l.copyleft !== 'none');
  const target = copyleftGroup.length
    ? (commonLicense(
        taxonomy,
        copyleftGroup.map((l) => l.id),
      ) ?? null)
    : null;

  // A rule with `when.source` sees only the rows of the sources it names.
  const sourceTests = new Map(
    taxonomy.rules.flatMap((rule) => (rule.sources ? [[rule.id, globTest(rule.sources)]] : [])),
  );
  const involvement = (finding: Finding): PropagatedFinding | undefined => {
    const test = sourceTests.get(finding.rule);
    const seen = (i: number): boolean => test === undefined || test(rows[i].source);
    const involved = finding.licenses.map((key) => {
      const acc = newAccumulator();
      rows.forEach((row, i) => {
        if (seen(i) && rowKeys[i].includes(key)) add(acc, row);
      });
      return { license: key, ...finish(acc) };
    });
    // Every license of the finding must be carried by a source the rule sees.
    if (involved.some((share) => share.sources.length === 0)) return undefined;
    const all = newAccumulator();
    rows.forEach((row, i) => {
      if (seen(i) && finding.licenses.some((key) => rowKeys[i].includes(key))) add(all, row);
    });
    return { ...finding, ...finish(all), involved };
  };
  const involve = (findings: readonly Finding[]): PropagatedFinding[] =>
    findings.flatMap((f) => involvement(f) ?? []);
  const conflicts = involve(report.conflicts);

  const totals = rows.reduce(
    (acc, row) => ({ records: acc.records + row.records, bytes: acc.bytes + row.bytes }),
    { records: 0, bytes: 0 },
  );
  return {
    use: report.use,
    use_category: useCategory(licenses),
    license: resultingLicense(licenses, conflicts.length > 0, copyleftGroup, target),
    compatible: conflicts.length === 0,
    permissions,
    restrictions,
    conditions,
    copyleft,
    totals: { ...totals, sources: perSource.size },
    by_license: licenses.map(share),
    by_source: [...perSource.entries()].map(([source, acc]) => ({
      source,
      licenses: [...acc.licenses],
      records: acc.records,
      bytes: acc.bytes,
    })),
    attribution: licenses.filter((l) => l.attribution).map(share),
    share_alike: licenses.filter((l) => l.share_alike).map((l) => ({ ...share(l), target })),
    share_alike_target: target,
    conflicts,
    warnings: involve(report.warnings),
    choices: report.choices,
    resolutions: report.resolutions,
  };
}

/**
 * The use the combined data allows: academic-only if any license is research-only, else
 * non-commercial if any known license forbids commercial use, else unspecified if any license is
 * unknown, else commercial.
 */
export function useCategory(licenses: readonly EffectiveLicense[]): UseCategory {
  if (licenses.length === 0) return 'unspecified';
  if (licenses.some((l) => l.restrictions.includes('research-only'))) return 'academic-only';
  if (licenses.some((l) => !l.unknown && !l.commercial_use)) return 'non-commercial';
  if (licenses.some((l) => l.unknown)) return 'unspecified';
  return 'commercial';
}

function resultingLicense(
  licenses: readonly EffectiveLicense[],
  hasConflicts: boolean,
  copyleftGroup: readonly EffectiveLicense[],
  target: string | null,
): string {
  if (licenses.length === 0) return 'NOASSERTION';
  if (licenses.length === 1) return licenses[0].key;
  if (hasConflicts || licenses.some((l) => l.unknown)) return 'mixed';
  const keys = new Set<string>();
  for (const license of licenses) {
    // Copyleft material (without an exception) is carried under the license they all fit.
    const carried = target !== null && copyleftGroup.includes(license) && !license.exception;
    keys.add(carried ? target : license.key);
  }
  return [...keys].sort().join(' AND ');
}

interface Accumulator {
  records: number;
  bytes: number;
  sources: Set<string>;
}

function newAccumulator(): Accumulator {
  return { records: 0, bytes: 0, sources: new Set() };
}

function add(acc: Accumulator, row: LicenseCount): void {
  acc.records += row.records;
  acc.bytes += row.bytes;
  acc.sources.add(row.source);
}

function finish(acc: Accumulator): Share {
  return { records: acc.records, bytes: acc.bytes, sources: [...acc.sources] };
}

function ordered(vocabulary: readonly string[], words: readonly string[]): string[] {
  const present = new Set(words);
  const known = vocabulary.filter((word) => present.has(word));
  return [...known, ...[...present].filter((word) => !vocabulary.includes(word))];
}

function checkCount(count: LicenseCount, index: number): void {
  const bad = (what: string) =>
    new UsageError(
      `license counts row ${index + 1}: ${what}`,
      'Each row is {source, license, records, bytes}.',
    );
  if (typeof count.source !== 'string' || count.source === '')
    throw bad('source must be a non-empty string');
  if (typeof count.license !== 'string') throw bad('license must be a string');
  for (const field of ['records', 'bytes'] as const) {
    const value = count[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw bad(`${field} must be a non-negative number`);
    }
  }
}
