/**
 * Waivers: a finding accepted for a reason until a date, for one rule and some licenses and/or
 * sources, written in the overlay (`waivers:`) or in a file of their own (`--waivers FILE`, the
 * same `waivers:` list). A waiver past its expiry day stops waiving, and the finding says so.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors';
import { didYouMean } from '../../suggest';
import { globTest } from '../globs';
import { isPlainObject } from '../matcher';
import { checkKeys, expectMap } from '../taxonomy-read';
import { Taxonomy, Waiver } from '../types';
import { Location, YamlSource, child, failAt } from '../yaml-source';

const WAIVER_FIELDS = ['rule', 'license', 'source', 'reason', 'expires'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The `waivers:` list of a YAML source (an overlay or a waivers file), checked against the taxonomy. */
export function readWaivers(src: YamlSource, taxonomy: Taxonomy): Waiver[] {
  const data = src.data();
  if (!isPlainObject(data) || !('waivers' in data) || data.waivers === null) return [];
  const at: Location = { src, path: ['waivers'] };
  if (!Array.isArray(data.waivers)) failAt(at, '"waivers" must be a list', waiverHint());
  return data.waivers.map((raw, i) => readWaiver(raw, child(at, i), taxonomy));
}

/** A waivers file (`--waivers FILE`): a YAML mapping with one key, `waivers`. */
export function loadWaiversFile(path: string, taxonomy: Taxonomy): Waiver[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the waivers file ${path}: ${code === 'ENOENT' ? 'not found' : (err as Error).message}`,
      'check the --waivers path',
    );
  }
  const src = YamlSource.parse(text, path);
  const data = src.data();
  const root: Location = { src, path: [] };
  if (!isPlainObject(data) || !('waivers' in data)) {
    failAt(root, 'a waivers file is a YAML mapping with a "waivers" list', waiverHint());
  }
  checkKeys(data, ['waivers'], root);
  return readWaivers(src, taxonomy);
}

function readWaiver(raw: unknown, loc: Location, taxonomy: Taxonomy): Waiver {
  const entry = expectMap(raw, loc);
  checkKeys(entry, WAIVER_FIELDS, loc);
  const text = (key: string): string => {
    const value = entry[key];
    if (typeof value !== 'string' || value.trim() === '') {
      failAt(key in entry ? child(loc, key) : loc, `a waiver needs "${key}" (a non-empty string)`);
    }
    return value.trim();
  };
  const rule = text('rule');
  const ruleIds = taxonomy.rules.map((r) => r.id);
  if (!ruleIds.includes(rule)) {
    failAt(
      child(loc, 'rule'),
      `"${rule}" is not a rule of the taxonomy.${didYouMean(rule, ruleIds)}`,
      'Rule ids are listed by `origin conflicts --json` (each finding\'s "rule") and in licenses.yaml.',
    );
  }
  if (!('license' in entry) && !('source' in entry)) {
    failAt(
      loc,
      `the waiver of "${rule}" needs "license" or "source" (or both)`,
      'To switch a rule off everywhere, set `enabled: false` on it in the overlay instead.',
    );
  }
  const licenses =
    'license' in entry
      ? strings(entry.license, child(loc, 'license'), 'a license id').map((id, i) => {
          // An id or alias in any case, as everywhere else (cc-by-nc-4.0 is CC-BY-NC-4.0).
          const known = taxonomy.licenses.has(id) ? id : taxonomy.lookup.get(id.toLowerCase());
          const at = Array.isArray(entry.license)
            ? child(loc, 'license', i)
            : child(loc, 'license');
          if (known === undefined) failAt(at, `license "${id}" is not in the taxonomy`);
          return known;
        })
      : undefined;
  const sources =
    'source' in entry ? strings(entry.source, child(loc, 'source'), 'a glob') : undefined;
  const reason = text('reason');
  const expires = text('expires');
  if (!isDate(expires)) {
    failAt(
      child(loc, 'expires'),
      `"${expires}" is not a date`,
      'Write the last day the waiver applies as YYYY-MM-DD, e.g. 2027-06-30.',
    );
  }
  return {
    rule,
    ...(licenses ? { licenses } : {}),
    ...(sources ? { sources } : {}),
    reason,
    expires,
    defined_at: loc.src.at(loc.path),
  };
}

function strings(raw: unknown, loc: Location, what: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) failAt(loc, `expected ${what} or a non-empty list`);
  return list.map((value, i) => {
    if (typeof value !== 'string' || value.trim() === '') {
      failAt(Array.isArray(raw) ? child(loc, i) : loc, `expected ${what} (a non-empty string)`);
    }
    return value.trim();
  });
}

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

function waiverHint(): string {
  return (
    'Each waiver: rule (a rule id), license (an id or a list) and/or source (a glob or a list), ' +
    'reason, expires (YYYY-MM-DD).'
  );
}

/** How a waiver stands against a finding, as the reports show it. */
export interface WaiverNote {
  reason: string;
  expires: string;
  defined_at: string;
}

/** A finding's license keys (`id` or `id WITH exception`) and the sources involved. */
export interface Waivable {
  rule: string;
  licenses: readonly string[];
  sources: readonly string[];
}

/** True when the waiver covers the finding (its expiry aside). */
export function covers(waiver: Waiver, finding: Waivable): boolean {
  if (waiver.rule !== finding.rule) return false;
  if (waiver.licenses) {
    const ids = finding.licenses.map((key) => key.split(' WITH ')[0]);
    if (!ids.some((id) => waiver.licenses?.includes(id))) return false;
  }
  if (waiver.sources) {
    const test = globTest(waiver.sources);
    if (finding.sources.length === 0 || !finding.sources.every(test)) return false;
  }
  return true;
}

/**
 * The waiver in force for a finding on `today` (YYYY-MM-DD, UTC), or else the expired one that
 * would have covered it, so the report can say it has lapsed.
 */
export function waiverFor(
  waivers: readonly Waiver[],
  finding: Waivable,
  today: string,
): { waived?: WaiverNote; expired?: WaiverNote } {
  const covering = waivers.filter((w) => covers(w, finding));
  const note = (w: Waiver): WaiverNote => ({
    reason: w.reason,
    expires: w.expires,
    defined_at: w.defined_at,
  });
  const active = covering.find((w) => w.expires >= today);
  if (active) return { waived: note(active) };
  const lapsed = covering.sort((x, y) => (x.expires < y.expires ? 1 : -1))[0];
  return lapsed ? { expired: note(lapsed) } : {};
}
