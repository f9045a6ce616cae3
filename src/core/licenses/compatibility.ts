import {
  LicenseTerm,
  ParsedExpression,
  expressionAlternatives,
  formatTerm,
  parseExpression,
} from './expression';
import { MatchTarget, matches } from './matcher';
import { IntendedUse, License, Rule, Severity, Taxonomy } from './types';

/** A license as it applies to the data: the taxonomy entry, with its WITH exception applied. */
export interface EffectiveLicense extends MatchTarget {
  /** `id`, `id+` or `id WITH exception`: how findings and counts name it. */
  key: string;
  url: string | null;
  or_later: readonly string[];
  /** False when the taxonomy does not list the id (its terms are then settings.unclassified's). */
  classified: boolean;
  /** Whether its family is one of settings.unknown_families. */
  unknown: boolean;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** The licenses involved (keys of EffectiveLicense): one, or the pair in the rule's a/b order. */
  licenses: readonly string[];
  /** The input expressions whose picked licenses are involved. */
  expressions: readonly string[];
}

/** A pair rule that did not fire because both licenses can be used under one license. */
export interface Resolution {
  rule: string;
  licenses: readonly [string, string];
  /** The license both can be used under. */
  target: string;
  message: string;
}

export interface RejectedOption {
  option: string;
  conflicts: readonly string[];
  warnings: readonly string[];
}

/** What was picked for an expression with OR. */
export interface Choice {
  expression: string;
  picked: string;
  options: readonly string[];
  reason: string;
  rejected: readonly RejectedOption[];
}

export interface ItemResult {
  expression: string;
  /** The alternative used: the expression itself when it has no OR. */
  picked: string;
  /** Keys of the licenses that apply. */
  licenses: readonly string[];
}

export interface CompatibilityReport {
  use: IntendedUse;
  /** No conflicts (warnings allowed). */
  compatible: boolean;
  /** The distinct licenses that apply, in order of first appearance. */
  licenses: readonly EffectiveLicense[];
  items: readonly ItemResult[];
  choices: readonly Choice[];
  conflicts: readonly Finding[];
  warnings: readonly Finding[];
  resolutions: readonly Resolution[];
}

export interface CompatibilityOptions {
  /** Intended use; default: the taxonomy's settings.default_use. */
  use?: IntendedUse;
}

/** Above this many combinations of OR choices, the search is greedy instead of exhaustive. */
const EXHAUSTIVE_LIMIT = 1024;

/**
 * Evaluates the taxonomy's rules over the licenses of some expressions, for an intended use.
 * Where an expression has OR, the alternative that avoids conflicts (then warnings, then new
 * obligations) is picked, and the choice is reported.
 */
export function checkCompatibility(
  taxonomy: Taxonomy,
  expressions: readonly (string | ParsedExpression)[],
  options: CompatibilityOptions = {},
): CompatibilityReport {
  const use = options.use ?? taxonomy.settings.default_use;
  const evaluator = new Evaluator(taxonomy, use);
  const items = dedupeItems(taxonomy, expressions).map((parsed) => evaluator.item(parsed));
  const picks = evaluator.search(items);
  const outcome = evaluator.evaluate(items, picks);

  const choices: Choice[] = [];
  items.forEach((item, index) => {
    if (item.options.length > 1)
      choices.push(evaluator.explainChoice(items, picks, index, outcome));
  });
  const licensesByKey = new Map<string, EffectiveLicense>();
  items.forEach((item, index) => {
    for (const license of item.options[picks[index]].licenses) {
      if (!licensesByKey.has(license.key)) licensesByKey.set(license.key, license);
    }
  });
  const findings = outcome.findings.map((f) => ({
    ...f,
    expressions: expressionsFor(f.licenses, items, picks),
  }));
  return {
    use,
    compatible: outcome.conflicts === 0,
    licenses: [...licensesByKey.values()],
    items: items.map((item, index) => ({
      expression: item.expression,
      picked: item.options[picks[index]].label,
      licenses: item.options[picks[index]].licenses.map((l) => l.key),
    })),
    choices,
    conflicts: findings.filter((f) => f.severity === 'conflict'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    resolutions: outcome.resolutions,
  };
}

/** The license a term stands for, with its exception applied and unlisted ids given unclassified terms. */
export function effectiveLicense(taxonomy: Taxonomy, term: LicenseTerm): EffectiveLicense {
  const listed = taxonomy.licenses.get(term.id);
  const base = listed ?? (taxonomy.licenses.get(taxonomy.settings.unclassified) as License);
  const exception = term.exception ? taxonomy.exceptions.get(term.exception) : undefined;
  const terms = { ...pickTerms(base), ...(exception?.overrides ?? {}) };
  return {
    key: formatTerm(term),
    id: term.id,
    name: listed ? listed.name : `${term.id} (not in the license taxonomy)`,
    url: listed ? listed.url : null,
    domain: base.domain,
    family: base.family,
    aliases: listed ? listed.aliases : [],
    or_later: listed ? listed.or_later : [],
    ...terms,
    ...(term.exception ? { exception: term.exception } : {}),
    classified: listed !== undefined,
    unknown: taxonomy.settings.unknown_families.includes(base.family),
  };
}

/**
 * Every license a work under `id` may be used under: itself, the versions of an -or-later
 * license, and what the one-way compatibilities lead to, followed transitively (LGPL-2.1-only →
 * GPL-3.0-only → AGPL-3.0-only). In order of discovery, nearest first.
 */
export function usableUnder(taxonomy: Taxonomy, id: string): readonly string[] {
  const out = [id];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    const next = [
      ...(taxonomy.licenses.get(out[i])?.or_later ?? []),
      ...(taxonomy.oneWay.get(out[i]) ?? []),
    ];
    for (const target of next) {
      if (!seen.has(target)) {
        seen.add(target);
        out.push(target);
      }
    }
  }
  return out;
}

/** True when material under `from` may be used in a work under `into` (not necessarily back). */
export function isUsableUnder(taxonomy: Taxonomy, from: string, into: string): boolean {
  return usableUnder(taxonomy, from).includes(into);
}

/**
 * A license every one of `ids` may be used under, or undefined. Prefers one of the ids itself
 * (the first that qualifies), then the first common license in the order of the first id's list.
 */
export function commonLicense(taxonomy: Taxonomy, ids: readonly string[]): string | undefined {
  if (ids.length === 0) return undefined;
  const sets = ids.map((id) => new Set(usableUnder(taxonomy, id)));
  const common = usableUnder(taxonomy, ids[0]).filter((id) => sets.every((set) => set.has(id)));
  return ids.find((id) => common.includes(id)) ?? common[0];
}

// ───────────────────────────── internals ─────────────────────────────

interface Option {
  label: string;
  licenses: EffectiveLicense[];
}

interface Item {
  expression: string;
  options: Option[];
}

type RawFinding = Omit<Finding, 'expressions'>;

interface Outcome {
  conflicts: number;
  warnings: number;
  obligations: number;
  order: number;
  findings: RawFinding[];
  resolutions: Resolution[];
}

interface PairResult {
  findings: RawFinding[];
  resolutions: Resolution[];
}

function dedupeItems(
  taxonomy: Taxonomy,
  expressions: readonly (string | ParsedExpression)[],
): ParsedExpression[] {
  const seen = new Map<string, ParsedExpression>();
  for (const entry of expressions) {
    const parsed = typeof entry === 'string' ? parseExpression(entry, taxonomy) : entry;
    if (!seen.has(parsed.expression)) seen.set(parsed.expression, parsed);
  }
  return [...seen.values()];
}

class Evaluator {
  private readonly singles = new Map<string, RawFinding[]>();
  private readonly pairs = new Map<string, PairResult>();
  private readonly singleRules: Rule[];
  private readonly pairRules: Rule[];

  constructor(
    private readonly taxonomy: Taxonomy,
    private readonly use: IntendedUse,
  ) {
    const applies = (rule: Rule) => !rule.use || rule.use.includes(use);
    this.singleRules = taxonomy.rules.filter((rule) => rule.license && applies(rule));
    this.pairRules = taxonomy.rules.filter((rule) => rule.a && rule.b && applies(rule));
  }

  item(parsed: ParsedExpression): Item {
    const options = expressionAlternatives(parsed.tree).map((terms) => ({
      label: terms.map(formatTerm).join(' AND '),
      licenses: terms.map((term) => effectiveLicense(this.taxonomy, term)),
    }));
    return { expression: parsed.expression, options };
  }

  /** The option index per item that gives the best outcome. */
  search(items: Item[]): number[] {
    const picks = items.map(() => 0);
    const points = items.map((_item, i) => i).filter((i) => items[i].options.length > 1);
    if (points.length === 0) return picks;
    let combinations = 1;
    for (const i of points) {
      combinations *= items[i].options.length;
      if (combinations > EXHAUSTIVE_LIMIT) break;
    }
    if (combinations <= EXHAUSTIVE_LIMIT) {
      let best = picks.slice();
      let bestOutcome = this.evaluate(items, picks);
      const current = picks.slice();
      for (;;) {
        // Odometer over the choice points.
        let k = 0;
        while (k < points.length) {
          const i = points[k];
          current[i]++;
          if (current[i] < items[i].options.length) break;
          current[i] = 0;
          k++;
        }
        if (k === points.length) break;
        const outcome = this.evaluate(items, current);
        if (better(outcome, bestOutcome)) {
          best = current.slice();
          bestOutcome = outcome;
        }
      }
      return best;
    }
    // Greedy: improve one choice at a time until nothing changes.
    let bestOutcome = this.evaluate(items, picks);
    for (let round = 0; round < 5; round++) {
      let changed = false;
      for (const i of points) {
        for (let option = 0; option < items[i].options.length; option++) {
          if (option === picks[i]) continue;
          const trial = picks.slice();
          trial[i] = option;
          const outcome = this.evaluate(items, trial);
          if (better(outcome, bestOutcome)) {
            picks[i] = option;
            bestOutcome = outcome;
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    return picks;
  }

  evaluate(items: Item[], picks: number[]): Outcome {
    const present = new Map<string, EffectiveLicense>();
    let order = 0;
    items.forEach((item, i) => {
      order += picks[i];
      for (const license of item.options[picks[i]].licenses) {
        if (!present.has(license.key)) present.set(license.key, license);
      }
    });
    const licenses = [...present.values()];
    const findings: RawFinding[] = [];
    const resolutions: Resolution[] = [];
    const obligations = new Set<string>();
    for (const license of licenses) {
      findings.push(...this.single(license));
      for (const word of license.conditions) obligations.add(`c:${word}`);
      for (const word of license.restrictions) obligations.add(`r:${word}`);
    }
    for (let i = 0; i < licenses.length; i++) {
      for (let j = i + 1; j < licenses.length; j++) {
        const pair = this.pair(licenses[i], licenses[j]);
        findings.push(...pair.findings);
        resolutions.push(...pair.resolutions);
      }
    }
    const conflicts = findings.filter((f) => f.severity === 'conflict').length;
    return {
      conflicts,
      warnings: findings.length - conflicts,
      obligations: obligations.size,
      order,
      findings,
      resolutions,
    };
  }

  explainChoice(items: Item[], picks: number[], index: number, outcome: Outcome): Choice {
    const item = items[index];
    const picked = item.options[picks[index]].label;
    const rejected: RejectedOption[] = [];
    let reason = 'the first option: no other option is better';
    let strength = 0;
    item.options.forEach((option, o) => {
      if (o === picks[index]) return;
      const trial = picks.slice();
      trial[index] = o;
      const alternative = this.evaluate(items, trial);
      const extra = (severity: Severity) =>
        ruleIds(
          alternative.findings.filter(
            (f) => f.severity === severity && !hasFinding(outcome.findings, f),
          ),
        );
      const conflicts = extra('conflict');
      const warnings = extra('warning');
      rejected.push({ option: option.label, conflicts, warnings });
      if (conflicts.length > 0 && strength < 3) {
        reason = `${option.label} would conflict (${conflicts.join(', ')})`;
        strength = 3;
      } else if (
        warnings.length > 0 &&
        alternative.conflicts >= outcome.conflicts &&
        strength < 2
      ) {
        reason = `${option.label} would add warnings (${warnings.join(', ')})`;
        strength = 2;
      } else if (alternative.obligations > outcome.obligations && strength < 1) {
        reason = `fewer obligations than ${option.label}`;
        strength = 1;
      }
    });
    return {
      expression: item.expression,
      picked,
      options: item.options.map((option) => option.label),
      reason,
      rejected,
    };
  }

  private single(license: EffectiveLicense): RawFinding[] {
    const cached = this.singles.get(license.key);
    if (cached) return cached;
    const findings: RawFinding[] = [];
    for (const rule of this.singleRules) {
      if (!matches(rule.license as NonNullable<Rule['license']>, license)) continue;
      findings.push(this.finding(rule, [license], { license: license.key }));
    }
    this.singles.set(license.key, findings);
    return findings;
  }

  private pair(x: EffectiveLicense, y: EffectiveLicense): PairResult {
    const cacheKey = x.key < y.key ? `${x.key}\u0000${y.key}` : `${y.key}\u0000${x.key}`;
    const cached = this.pairs.get(cacheKey);
    if (cached) return cached;
    const result: PairResult = { findings: [], resolutions: [] };
    for (const rule of this.pairRules) {
      const a = rule.a as NonNullable<Rule['a']>;
      const b = rule.b as NonNullable<Rule['b']>;
      let ordered: [EffectiveLicense, EffectiveLicense] | undefined;
      if (matches(a, x) && matches(b, y)) ordered = [x, y];
      else if (matches(a, y) && matches(b, x)) ordered = [y, x];
      if (!ordered) continue;
      const [first, second] = ordered;
      if (rule.unless.includes('common_target')) {
        const target = commonLicense(this.taxonomy, [first.id, second.id]);
        if (target !== undefined) {
          result.resolutions.push({
            rule: rule.id,
            licenses: [first.key, second.key],
            target,
            message: this.describeTarget(first.id, second.id, target),
          });
          continue;
        }
      }
      result.findings.push(this.finding(rule, ordered, { a: first.key, b: second.key }));
    }
    this.pairs.set(cacheKey, result);
    return result;
  }

  private finding(
    rule: Rule,
    licenses: EffectiveLicense[],
    values: Record<string, string>,
  ): RawFinding {
    const message = rule.explanation.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name === 'use' ? this.use : (values[name] ?? whole),
    );
    return {
      rule: rule.id,
      severity: rule.severity,
      message,
      ...(rule.hint ? { hint: rule.hint } : {}),
      licenses: licenses.map((l) => l.key),
    };
  }

  private describeTarget(a: string, b: string, target: string): string {
    const how = (id: string) => {
      if (id === target) return `${id} itself`;
      const license = this.taxonomy.licenses.get(id);
      if (license?.or_later.includes(target)) return `${id} (a later version may be chosen)`;
      return `${id} (one-way compatibility: ${id} → ${target})`;
    };
    return `${a} and ${b} can both be used under ${target}: ${how(a)}, ${how(b)}`;
  }
}

function better(x: Outcome, y: Outcome): boolean {
  if (x.conflicts !== y.conflicts) return x.conflicts < y.conflicts;
  if (x.warnings !== y.warnings) return x.warnings < y.warnings;
  if (x.obligations !== y.obligations) return x.obligations < y.obligations;
  return x.order < y.order;
}

function pickTerms(license: License) {
  return {
    permissions: license.permissions,
    restrictions: license.restrictions,
    conditions: license.conditions,
    copyleft: license.copyleft,
    commercial_use: license.commercial_use,
    attribution: license.attribution,
    share_alike: license.share_alike,
    no_derivatives: license.no_derivatives,
  };
}

function ruleIds(findings: RawFinding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))];
}

function hasFinding(findings: RawFinding[], finding: RawFinding): boolean {
  return findings.some(
    (f) => f.rule === finding.rule && f.licenses.join('\u0000') === finding.licenses.join('\u0000'),
  );
}

function expressionsFor(keys: readonly string[], items: Item[], picks: number[]): string[] {
  const out: string[] = [];
  items.forEach((item, i) => {
    if (item.options[picks[i]].licenses.some((l) => keys.includes(l.key)))
      out.push(item.expression);
  });
  return out;
}
