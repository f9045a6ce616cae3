import {
  COPYLEFT_LEVELS,
  FieldTest,
  LicenseTerms,
  MATCH_FIELDS,
  MatchField,
  MatchScalar,
  Matcher,
} from './types';
import { Location, child, failAt } from './yaml-source';

/** What a matcher is tested against: a license's properties, with the WITH exception if any. */
export interface MatchTarget extends LicenseTerms {
  id: string;
  name: string;
  domain: string;
  family: string;
  aliases: readonly string[];
  exception?: string;
}

const BOOLEAN_FIELDS: ReadonlySet<MatchField> = new Set([
  'commercial_use',
  'attribution',
  'share_alike',
  'no_derivatives',
]);

/** True when every test of the matcher holds for the license. */
export function matches(matcher: Matcher, target: MatchTarget): boolean {
  for (const test of matcher.tests) if (!testHolds(test, target)) return false;
  if (matcher.not && matches(matcher.not, target)) return false;
  if (matcher.any && !matcher.any.some((m) => matches(m, target))) return false;
  return true;
}

function testHolds(test: FieldTest, target: MatchTarget): boolean {
  if (test.field === 'exception') return test.values.includes(target.exception ?? null);
  const actual = target[test.field];
  if (Array.isArray(actual))
    return test.values.some((v) => typeof v === 'string' && actual.includes(v));
  return test.values.includes(actual as MatchScalar);
}

/** The vocabularies a matcher's values are checked against when it is read. */
export interface MatcherContext {
  families: readonly string[];
  domains: readonly string[];
  permissions: readonly string[];
  restrictions: readonly string[];
  conditions: readonly string[];
  /** Resolves a license id or alias to its id, or undefined when it is not in the taxonomy. */
  resolveId: (id: string) => string | undefined;
}

/** Reads and validates a matcher written in YAML (see the licenses.yaml header). */
export function parseMatcher(raw: unknown, loc: Location, ctx: MatcherContext): Matcher {
  if (!isPlainObject(raw) || Object.keys(raw).length === 0) {
    failAt(loc, 'a matcher must be a non-empty map of license fields', matcherHint());
  }
  const tests: FieldTest[] = [];
  let not: Matcher | undefined;
  let any: Matcher[] | undefined;
  for (const [key, value] of Object.entries(raw)) {
    const at = child(loc, key);
    if (key === 'not') {
      not = parseMatcher(value, at, ctx);
    } else if (key === 'any') {
      if (!Array.isArray(value) || value.length === 0) {
        failAt(at, '"any" must be a non-empty list of matchers');
      }
      any = value.map((m, i) => parseMatcher(m, child(at, i), ctx));
    } else if ((MATCH_FIELDS as readonly string[]).includes(key)) {
      tests.push(parseTest(key as MatchField, value, at, ctx));
    } else {
      failAt(at, `unknown matcher field "${key}"`, matcherHint());
    }
  }
  return { tests, ...(not ? { not } : {}), ...(any ? { any } : {}) };
}

function parseTest(field: MatchField, raw: unknown, loc: Location, ctx: MatcherContext): FieldTest {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) failAt(loc, `"${field}" needs at least one value`);
  const values = list.map((value, i): MatchScalar => {
    const at = Array.isArray(raw) ? child(loc, i) : loc;
    if (BOOLEAN_FIELDS.has(field)) {
      if (typeof value !== 'boolean') failAt(at, `"${field}" takes true or false`);
      return value;
    }
    if (field === 'exception' && value === null) return null;
    if (typeof value !== 'string') failAt(at, `"${field}" takes a string or a list of strings`);
    const allowed = allowedValues(field, ctx);
    if (allowed && !allowed.includes(value)) {
      failAt(at, `unknown ${field} value "${value}"`, `Known values: ${allowed.join(', ')}.`);
    }
    if (field === 'id') {
      const id = ctx.resolveId(value);
      if (id === undefined) failAt(at, `unknown license id "${value}"`);
      return id;
    }
    return value;
  });
  return { field, values };
}

function allowedValues(field: MatchField, ctx: MatcherContext): readonly string[] | undefined {
  switch (field) {
    case 'family':
      return ctx.families;
    case 'domain':
      return ctx.domains;
    case 'copyleft':
      return COPYLEFT_LEVELS;
    case 'permissions':
      return ctx.permissions;
    case 'restrictions':
      return ctx.restrictions;
    case 'conditions':
      return ctx.conditions;
    default:
      return undefined;
  }
}

function matcherHint(): string {
  return `A matcher maps license fields (${MATCH_FIELDS.join(', ')}) to a value or a list of values, with optional "not" and "any".`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
