/** The shapes of the license taxonomy (licenses.yaml) once it is loaded and validated. */

export const COPYLEFT_LEVELS = ['none', 'weak', 'strong', 'network'] as const;
export type Copyleft = (typeof COPYLEFT_LEVELS)[number];

export const SEVERITIES = ['conflict', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const INTENDED_USES = ['commercial', 'research'] as const;
export type IntendedUse = (typeof INTENDED_USES)[number];

/** Conditions a pair rule can be waived by. */
export const UNLESS_CONDITIONS = ['common_target'] as const;
export type UnlessCondition = (typeof UNLESS_CONDITIONS)[number];

/** The properties of a license that rules reason about (and an exception may override). */
export interface LicenseTerms {
  permissions: readonly string[];
  restrictions: readonly string[];
  conditions: readonly string[];
  copyleft: Copyleft;
  commercial_use: boolean;
  attribution: boolean;
  share_alike: boolean;
  no_derivatives: boolean;
}

export interface License extends LicenseTerms {
  id: string;
  name: string;
  url: string | null;
  domain: string;
  family: string;
  aliases: readonly string[];
  /** For "-or-later" licenses: every version the work may be used under; otherwise empty. */
  or_later: readonly string[];
  notes?: string;
  /** Where the entry was defined: `file:line`. */
  defined_at: string;
}

export type TermOverrides = Partial<LicenseTerms>;

export interface LicenseException {
  id: string;
  name: string;
  url: string | null;
  overrides: TermOverrides;
  defined_at: string;
}

/** One-way compatibility: material under `from` may be used in a work under `into`. */
export interface CompatibilityEdge {
  from: string;
  into: readonly string[];
  note?: string;
  defined_at: string;
}

/** The license fields a matcher may test. */
export const MATCH_FIELDS = [
  'id',
  'name',
  'domain',
  'family',
  'copyleft',
  'commercial_use',
  'attribution',
  'share_alike',
  'no_derivatives',
  'permissions',
  'restrictions',
  'conditions',
  'aliases',
  'exception',
] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

export type MatchScalar = string | boolean | null;

export interface FieldTest {
  field: MatchField;
  /** Any of these values (for list fields: the list contains any of them). */
  values: readonly MatchScalar[];
}

export interface Matcher {
  tests: readonly FieldTest[];
  not?: Matcher;
  any?: readonly Matcher[];
}

export interface Rule {
  id: string;
  severity: Severity;
  explanation: string;
  hint?: string;
  /** Only when the intended use is one of these; undefined = always. */
  use?: readonly IntendedUse[];
  /** Single-license rule. */
  license?: Matcher;
  /** Pair rule. */
  a?: Matcher;
  b?: Matcher;
  unless: readonly UnlessCondition[];
  /** Only the data of sources whose name matches one of these globs; undefined = every source. */
  sources?: readonly string[];
  /** Only in sessions whose metadata has each key with a value matching one of its globs. */
  session?: readonly { key: string; globs: readonly string[] }[];
  defined_at: string;
}

/**
 * A waiver: findings of one rule, on one of these licenses and/or from sources matching these
 * globs, are accepted for a reason until the end of the expiry day (UTC).
 */
export interface Waiver {
  rule: string;
  /** License ids; a finding is covered when one of its licenses is one of them. */
  licenses?: readonly string[];
  /** Source globs; a finding is covered when every source it involves matches one of them. */
  sources?: readonly string[];
  reason: string;
  /** YYYY-MM-DD, the last day the waiver applies. */
  expires: string;
  /** Where it was written: `file:line`. */
  defined_at: string;
}

export interface TaxonomySettings {
  /** The license whose terms apply to a valid id that the taxonomy does not list. */
  unclassified: string;
  /** Families whose terms are unknown. */
  unknown_families: readonly string[];
  default_use: IntendedUse;
}

export interface Vocabulary {
  permissions: readonly string[];
  restrictions: readonly string[];
  conditions: readonly string[];
}

export interface Taxonomy {
  version: number;
  /** The files (or labels of injected texts) it was loaded from, base first. */
  files: readonly string[];
  settings: TaxonomySettings;
  domains: readonly string[];
  families: readonly string[];
  vocabulary: Vocabulary;
  licenses: ReadonlyMap<string, License>;
  exceptions: ReadonlyMap<string, LicenseException>;
  compatibility: readonly CompatibilityEdge[];
  rules: readonly Rule[];
  /** Lower-cased id or alias → license id. */
  lookup: ReadonlyMap<string, string>;
  /** license id → ids it may be used under one way (from `compatibility`). */
  oneWay: ReadonlyMap<string, ReadonlySet<string>>;
  /** The overlay's waivers (`waivers:`); the built-in taxonomy has none. */
  waivers: readonly Waiver[];
}
