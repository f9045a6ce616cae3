import { MatcherContext, parseMatcher } from './matcher';
import { SPECIAL_IDS, isDeprecatedSpdxId, isLicenseRef, isSpdxLicenseId } from './spdx-ids';
import {
  Entry,
  LICENSE_REQUIRED,
  Layer,
  Listed,
  SCHEMA_VERSION,
  TERM_FIELDS,
  at,
  checkKeys,
  expectMap,
  oneOf,
  optionalString,
  stringList,
} from './taxonomy-read';
import {
  COPYLEFT_LEVELS,
  CompatibilityEdge,
  Copyleft,
  INTENDED_USES,
  IntendedUse,
  License,
  LicenseException,
  Rule,
  SEVERITIES,
  Severity,
  Taxonomy,
  TaxonomySettings,
  TermOverrides,
  UNLESS_CONDITIONS,
  UnlessCondition,
} from './types';
import { Location, child, failAt } from './yaml-source';

/** Merging layers (base, then overlay) and validating the result: vocabularies, references, rules. */

interface Merged {
  loc: Location;
  fields: Map<string, { value: unknown; loc: Location }>;
}

export function buildTaxonomy(layers: Layer[]): Taxonomy {
  const settings = new Map<string, { value: unknown; loc: Location }>();
  const domains = new Map<string, Location>();
  const families = new Map<string, Location>();
  const vocabulary = {
    permissions: new Map<string, Location>(),
    restrictions: new Map<string, Location>(),
    conditions: new Map<string, Location>(),
  };
  const licenses = new Map<string, Merged>();
  const exceptions = new Map<string, Merged>();
  const compatibility: Entry[] = [];
  const rules = new Map<string, Merged | null>();

  for (const layer of layers) {
    for (const [key, value] of layer.settings) settings.set(key, value);
    addWords(domains, layer.domains);
    addWords(families, layer.families);
    addWords(vocabulary.permissions, layer.vocabulary.permissions);
    addWords(vocabulary.restrictions, layer.vocabulary.restrictions);
    addWords(vocabulary.conditions, layer.vocabulary.conditions);
    mergeEntries(licenses, layer.licenses, 'id', layer.isOverlay, 'license');
    mergeEntries(exceptions, layer.exceptions, 'id', layer.isOverlay, 'exception');
    compatibility.push(...layer.compatibility);
    const seen = new Set<string>();
    for (const entry of layer.rules) {
      const id = entry.fields.get('id')?.value as string;
      if (seen.has(id)) failAt(entry.loc, `duplicate rule id "${id}"`);
      seen.add(id);
      const enabled = entry.fields.get('enabled');
      if (enabled && typeof enabled.value !== 'boolean')
        failAt(enabled.loc, '"enabled" takes true or false');
      if (enabled?.value === false) {
        rules.set(id, null);
      } else {
        rules.set(id, { loc: entry.loc, fields: entry.fields });
      }
    }
  }

  const words = (m: Map<string, Location>) => [...m.keys()];
  const base = layers[0];
  const root: Location = { src: base.src, path: [] };

  // Licenses: fields, then the index of ids and aliases, then cross-references.
  const built = new Map<string, License>();
  const orLaterLocs = new Map<string, Location>();
  for (const [id, merged] of licenses) {
    const license = buildLicense(id, merged, {
      domains: words(domains),
      families: words(families),
      permissions: words(vocabulary.permissions),
      restrictions: words(vocabulary.restrictions),
      conditions: words(vocabulary.conditions),
    });
    built.set(id, license);
    const orLater = merged.fields.get('or_later');
    if (orLater) orLaterLocs.set(id, orLater.loc);
  }
  const lookup = buildLookup(licenses);
  const resolveId = (value: string): string | undefined =>
    built.has(value) ? value : lookup.get(value.toLowerCase());

  for (const [id, license] of built) {
    if (license.or_later.length === 0) continue;
    const loc = orLaterLocs.get(id) as Location;
    const versions = license.or_later.map((version, i) => {
      const resolved = resolveId(version);
      if (resolved === undefined)
        failAt(child(loc, i), `unknown license id "${version}" in or_later`);
      if ((built.get(resolved) as License).or_later.length > 0) {
        failAt(
          child(loc, i),
          `"${version}" is itself an -or-later license; list the versions it stands for`,
        );
      }
      return resolved;
    });
    built.set(id, { ...license, or_later: versions });
  }

  // Settings.
  const setting = (key: string) => {
    const value = settings.get(key);
    if (!value) failAt(child(root, 'settings'), `missing setting "${key}"`);
    return value;
  };
  const unclassified = setting('unclassified');
  if (typeof unclassified.value !== 'string' || resolveId(unclassified.value) === undefined) {
    failAt(unclassified.loc, '"unclassified" must name a license of the taxonomy');
  }
  const unknownFamilies = setting('unknown_families');
  const unknownList = stringList(unknownFamilies.value, unknownFamilies.loc);
  unknownList.forEach((family, i) => {
    if (!families.has(family)) failAt(child(unknownFamilies.loc, i), `unknown family "${family}"`);
  });
  const defaultUse = setting('default_use');
  const settingsOut: TaxonomySettings = {
    unclassified: resolveId(unclassified.value) as string,
    unknown_families: unknownList,
    default_use: oneOf(defaultUse.value, INTENDED_USES, defaultUse.loc, 'default_use'),
  };

  const ctx: MatcherContext = {
    families: words(families),
    domains: words(domains),
    permissions: words(vocabulary.permissions),
    restrictions: words(vocabulary.restrictions),
    conditions: words(vocabulary.conditions),
    resolveId,
  };

  // Exceptions.
  const exceptionsOut = new Map<string, LicenseException>();
  for (const [id, merged] of exceptions) exceptionsOut.set(id, buildException(id, merged, ctx));

  // One-way compatibility.
  const compatibilityOut: CompatibilityEdge[] = [];
  const oneWay = new Map<string, Set<string>>();
  for (const entry of compatibility) {
    const from = entry.fields.get('from') as { value: unknown; loc: Location };
    const fromId = resolveId(from.value as string);
    if (fromId === undefined) failAt(from.loc, `unknown license id "${String(from.value)}"`);
    const into = entry.fields.get('into');
    if (!into) failAt(entry.loc, 'missing "into"');
    const intoIds = stringList(into.value, into.loc).map((value, i) => {
      const resolved = resolveId(value);
      if (resolved === undefined) failAt(child(into.loc, i), `unknown license id "${value}"`);
      if (resolved === fromId)
        failAt(child(into.loc, i), 'a license is always compatible with itself');
      return resolved;
    });
    if (intoIds.length === 0) failAt(into.loc, '"into" needs at least one license');
    const note = optionalString(entry.fields.get('note'));
    compatibilityOut.push({
      from: fromId,
      into: intoIds,
      ...(note ? { note } : {}),
      defined_at: at(entry.loc),
    });
    const targets = oneWay.get(fromId) ?? new Set<string>();
    for (const id of intoIds) targets.add(id);
    oneWay.set(fromId, targets);
  }

  // Rules.
  const rulesOut: Rule[] = [];
  for (const [id, merged] of rules) if (merged) rulesOut.push(buildRule(id, merged, ctx));

  return {
    version: SCHEMA_VERSION,
    files: layers.map((layer) => layer.src.label),
    settings: settingsOut,
    domains: words(domains),
    families: words(families),
    vocabulary: {
      permissions: words(vocabulary.permissions),
      restrictions: words(vocabulary.restrictions),
      conditions: words(vocabulary.conditions),
    },
    licenses: built,
    exceptions: exceptionsOut,
    compatibility: compatibilityOut,
    rules: rulesOut,
    lookup,
    oneWay,
    waivers: [],
  };
}

function addWords(target: Map<string, Location>, words: Listed[]): void {
  const local = new Set<string>();
  for (const word of words) {
    if (local.has(word.value)) failAt(word.loc, `"${word.value}" is listed twice`);
    local.add(word.value);
    if (!target.has(word.value)) target.set(word.value, word.loc);
  }
}

function mergeEntries(
  target: Map<string, Merged>,
  entries: Entry[],
  keyField: string,
  isOverlay: boolean,
  what: string,
): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.fields.get(keyField)?.value as string;
    if (seen.has(id)) failAt(entry.loc, `duplicate ${what} id "${id}"`);
    seen.add(id);
    const existing = target.get(id);
    if (existing && isOverlay) {
      const fields = new Map(existing.fields);
      for (const [name, value] of entry.fields) fields.set(name, value);
      target.set(id, { loc: entry.loc, fields });
    } else {
      target.set(id, { loc: entry.loc, fields: new Map(entry.fields) });
    }
  }
}

interface LicenseVocabulary {
  domains: readonly string[];
  families: readonly string[];
  permissions: readonly string[];
  restrictions: readonly string[];
  conditions: readonly string[];
}

function buildLicense(id: string, merged: Merged, vocab: LicenseVocabulary): License {
  for (const name of LICENSE_REQUIRED) {
    if (!merged.fields.has(name)) {
      failAt(
        merged.loc,
        `license "${id}" is missing "${name}"`,
        `Every license needs: ${LICENSE_REQUIRED.join(', ')}.`,
      );
    }
  }
  const idLoc = (merged.fields.get('id') as { loc: Location }).loc;
  checkLicenseId(id, idLoc);
  const field = (name: string) => merged.fields.get(name) as { value: unknown; loc: Location };
  const str = (name: string) => {
    const { value, loc } = field(name);
    if (typeof value !== 'string' || value === '')
      failAt(loc, `"${name}" must be a non-empty string`);
    return value;
  };
  const url = field('url');
  if (url.value !== null && (typeof url.value !== 'string' || url.value === '')) {
    failAt(url.loc, '"url" must be a string, or null when there is no canonical text');
  }
  const domain = str('domain');
  if (!vocab.domains.includes(domain))
    failAt(
      field('domain').loc,
      `unknown domain "${domain}"`,
      `Known domains: ${vocab.domains.join(', ')}.`,
    );
  const family = str('family');
  if (!vocab.families.includes(family))
    failAt(
      field('family').loc,
      `unknown family "${family}"`,
      `Known families: ${vocab.families.join(', ')}.`,
    );
  const terms = readTerms(merged.fields, vocab, true) as Required<TermOverrides>;
  const aliasesField = merged.fields.get('aliases');
  const aliases = aliasesField ? stringList(aliasesField.value, aliasesField.loc) : [];
  const orLaterField = merged.fields.get('or_later');
  const orLater = orLaterField ? stringList(orLaterField.value, orLaterField.loc) : [];
  if (orLaterField && orLater.length === 0)
    failAt(orLaterField.loc, '"or_later" needs at least one version');
  const notes = optionalString(merged.fields.get('notes'));

  // Two booleans restate a word of the lists; they must agree.
  if (vocab.permissions.includes('commercial-use')) {
    const listed = terms.permissions.includes('commercial-use');
    if (listed !== terms.commercial_use) {
      failAt(
        field('commercial_use').loc,
        `commercial_use is ${terms.commercial_use} but permissions ${listed ? 'include' : 'omit'} "commercial-use"`,
      );
    }
  }
  if (vocab.restrictions.includes('no-derivatives')) {
    const listed = terms.restrictions.includes('no-derivatives');
    if (listed !== terms.no_derivatives) {
      failAt(
        field('no_derivatives').loc,
        `no_derivatives is ${terms.no_derivatives} but restrictions ${listed ? 'include' : 'omit'} "no-derivatives"`,
      );
    }
  }
  return {
    id,
    name: str('name'),
    url: url.value as string | null,
    domain,
    family,
    aliases,
    permissions: terms.permissions,
    restrictions: terms.restrictions ?? [],
    conditions: terms.conditions,
    copyleft: terms.copyleft,
    commercial_use: terms.commercial_use,
    attribution: terms.attribution,
    share_alike: terms.share_alike,
    no_derivatives: terms.no_derivatives,
    or_later: orLater,
    ...(notes ? { notes } : {}),
    defined_at: at(merged.loc),
  };
}

function checkLicenseId(id: string, loc: Location): void {
  if (SPECIAL_IDS.has(id) || isSpdxLicenseId(id) || isLicenseRef(id)) return;
  if (isDeprecatedSpdxId(id)) {
    failAt(
      loc,
      `"${id}" is a deprecated SPDX id`,
      'Use the current id (e.g. GPL-2.0-only) and list the old one under aliases.',
    );
  }
  failAt(
    loc,
    `"${id}" is neither an SPDX license id nor a LicenseRef-`,
    `Name custom licenses "LicenseRef-${id.replace(/[^A-Za-z0-9.-]/g, '-')}".`,
  );
}

/** Reads the term fields present in `fields` (all of them when `required`). */
function readTerms(
  fields: Map<string, { value: unknown; loc: Location }>,
  vocab: Pick<LicenseVocabulary, 'permissions' | 'restrictions' | 'conditions'>,
  required: boolean,
): TermOverrides {
  const out: { -readonly [K in keyof TermOverrides]: TermOverrides[K] } = {};
  for (const name of TERM_FIELDS) {
    const entry = fields.get(name);
    if (!entry) {
      if (required && name === 'restrictions') out.restrictions = [];
      continue;
    }
    const { value, loc } = entry;
    switch (name) {
      case 'permissions':
      case 'restrictions':
      case 'conditions': {
        const list = stringList(value, loc);
        const known = vocab[name];
        list.forEach((word, i) => {
          if (!known.includes(word))
            failAt(
              child(loc, i),
              `unknown ${name} word "${word}"`,
              `Add it to vocabulary.${name}, or use one of: ${known.join(', ')}.`,
            );
        });
        out[name] = list;
        break;
      }
      case 'copyleft':
        out.copyleft = oneOf(value, COPYLEFT_LEVELS, loc, 'copyleft') as Copyleft;
        break;
      case 'commercial_use':
      case 'attribution':
      case 'share_alike':
      case 'no_derivatives':
        if (typeof value !== 'boolean') failAt(loc, `"${name}" takes true or false`);
        out[name] = value;
        break;
    }
  }
  return out;
}

function buildLookup(licenses: Map<string, Merged>): Map<string, string> {
  const lookup = new Map<string, string>();
  const claim = (key: string, id: string, loc: Location) => {
    const lower = key.toLowerCase();
    const owner = lookup.get(lower);
    if (owner !== undefined && owner !== id) {
      failAt(
        loc,
        `"${key}" (${id}) already names ${owner}`,
        'Ids and aliases must be unique, ignoring case.',
      );
    }
    lookup.set(lower, id);
  };
  for (const [id, merged] of licenses) claim(id, id, merged.loc);
  for (const [id, merged] of licenses) {
    const aliases = merged.fields.get('aliases');
    if (!aliases || !Array.isArray(aliases.value)) continue;
    aliases.value.forEach((alias, i) => {
      if (typeof alias === 'string') claim(alias, id, child(aliases.loc, i));
    });
  }
  return lookup;
}

function buildException(id: string, merged: Merged, ctx: MatcherContext): LicenseException {
  const name = merged.fields.get('name');
  if (!name || typeof name.value !== 'string')
    failAt(merged.loc, `exception "${id}" needs a "name" string`);
  const url = merged.fields.get('url');
  if (url && url.value !== null && typeof url.value !== 'string')
    failAt(url.loc, '"url" must be a string or null');
  const overridesField = merged.fields.get('overrides');
  let overrides: TermOverrides = {};
  if (overridesField) {
    const raw = expectMap(overridesField.value ?? {}, overridesField.loc);
    checkKeys(raw, TERM_FIELDS, overridesField.loc);
    const fields = new Map(
      Object.entries(raw).map(([k, v]) => [k, { value: v, loc: child(overridesField.loc, k) }]),
    );
    overrides = readTerms(fields, ctx, false);
  }
  return {
    id,
    name: name.value,
    url: (url?.value as string | null | undefined) ?? null,
    overrides,
    defined_at: at(merged.loc),
  };
}

const PLACEHOLDERS = { single: ['license', 'use'], pair: ['a', 'b', 'use'] };

function buildRule(id: string, merged: Merged, ctx: MatcherContext): Rule {
  const field = (name: string) => merged.fields.get(name);
  const severityField = field('severity');
  if (!severityField) failAt(merged.loc, `rule "${id}" needs a severity (conflict or warning)`);
  const severity = oneOf(
    severityField.value,
    SEVERITIES,
    severityField.loc,
    'severity',
  ) as Severity;
  const explanationField = field('explanation');
  if (
    !explanationField ||
    typeof explanationField.value !== 'string' ||
    explanationField.value.trim() === ''
  ) {
    failAt(explanationField?.loc ?? merged.loc, `rule "${id}" needs an explanation`);
  }
  const explanation = explanationField.value.trim();
  const hint = optionalString(field('hint'));
  const whenField = field('when');
  if (!whenField) failAt(merged.loc, `rule "${id}" needs "when"`);
  const when = expectMap(whenField.value, whenField.loc);
  checkKeys(when, ['use', 'license', 'a', 'b', 'source', 'session'], whenField.loc);
  const isSingle = 'license' in when;
  const isPair = 'a' in when || 'b' in when;
  if (isSingle === isPair || (isPair && !('a' in when && 'b' in when))) {
    failAt(whenField.loc, 'a rule matches either one license ("license") or a pair ("a" and "b")');
  }
  let use: IntendedUse[] | undefined;
  if ('use' in when) {
    const loc = child(whenField.loc, 'use');
    const list = Array.isArray(when.use) ? when.use : [when.use];
    use = list.map((value, i) =>
      oneOf(value, INTENDED_USES, Array.isArray(when.use) ? child(loc, i) : loc, 'use'),
    );
  }
  let unless: UnlessCondition[] = [];
  const unlessField = field('unless');
  if (unlessField) {
    if (!isPair) failAt(unlessField.loc, '"unless" applies to pair rules only');
    unless = stringList(unlessField.value, unlessField.loc).map((value, i) =>
      oneOf(value, UNLESS_CONDITIONS, child(unlessField.loc, i), 'unless'),
    );
  }
  const allowed = isSingle ? PLACEHOLDERS.single : PLACEHOLDERS.pair;
  for (const match of explanation.matchAll(/\{(\w+)\}/g)) {
    if (!allowed.includes(match[1])) {
      failAt(
        explanationField.loc,
        `placeholder {${match[1]}} cannot be used here`,
        `Use ${allowed.map((p) => `{${p}}`).join(', ')}.`,
      );
    }
  }
  const sources =
    'source' in when ? readGlobs(when.source, child(whenField.loc, 'source')) : undefined;
  let session: { key: string; globs: string[] }[] | undefined;
  if ('session' in when) {
    const loc = child(whenField.loc, 'session');
    const map = expectMap(when.session, loc);
    if (Object.keys(map).length === 0) failAt(loc, '"session" needs at least one metadata key');
    session = Object.entries(map).map(([key, value]) => ({
      key,
      globs: readGlobs(value, child(loc, key)),
    }));
  }
  const base = {
    id,
    severity,
    explanation,
    ...(hint ? { hint } : {}),
    ...(use ? { use } : {}),
    ...(sources ? { sources } : {}),
    ...(session ? { session } : {}),
    unless,
    defined_at: at(merged.loc),
  };
  if (isSingle) {
    return { ...base, license: parseMatcher(when.license, child(whenField.loc, 'license'), ctx) };
  }
  return {
    ...base,
    a: parseMatcher(when.a, child(whenField.loc, 'a'), ctx),
    b: parseMatcher(when.b, child(whenField.loc, 'b'), ctx),
  };
}

/** A glob or a list of globs (picomatch syntax), each a non-empty string. */
function readGlobs(raw: unknown, loc: Location): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) failAt(loc, 'expected a glob or a non-empty list of globs');
  return list.map((value, i) => {
    if (typeof value !== 'string' || value === '') {
      failAt(Array.isArray(raw) ? child(loc, i) : loc, 'expected a glob (a non-empty string)');
    }
    return value;
  });
}
