import { isPlainObject } from './matcher';
import { Location, YamlSource, child, failAt } from './yaml-source';

/** Reading one taxonomy file (the base or an overlay) into a layer: shapes and keys only. */

export interface Entry {
  loc: Location;
  fields: Map<string, { value: unknown; loc: Location }>;
}

export interface Listed {
  value: string;
  loc: Location;
}

export interface Layer {
  src: YamlSource;
  isOverlay: boolean;
  version?: number;
  settings: Map<string, { value: unknown; loc: Location }>;
  domains: Listed[];
  families: Listed[];
  vocabulary: { permissions: Listed[]; restrictions: Listed[]; conditions: Listed[] };
  licenses: Entry[];
  exceptions: Entry[];
  compatibility: Entry[];
  rules: Entry[];
}

const TOP_LEVEL = [
  'version',
  'settings',
  'domains',
  'families',
  'vocabulary',
  'licenses',
  'exceptions',
  'compatibility',
  'rules',
  // Read by waivers.ts once the taxonomy is built (a waiver names a rule and licenses).
  'waivers',
];
const REQUIRED_IN_BASE = [
  'version',
  'settings',
  'domains',
  'families',
  'vocabulary',
  'licenses',
  'rules',
];
export const SCHEMA_VERSION = 1;

const LICENSE_FIELDS = [
  'id',
  'name',
  'url',
  'domain',
  'family',
  'aliases',
  'permissions',
  'restrictions',
  'conditions',
  'copyleft',
  'commercial_use',
  'attribution',
  'share_alike',
  'no_derivatives',
  'or_later',
  'notes',
];
export const LICENSE_REQUIRED = [
  'id',
  'name',
  'url',
  'domain',
  'family',
  'permissions',
  'conditions',
  'copyleft',
  'commercial_use',
  'attribution',
  'share_alike',
  'no_derivatives',
];
export const TERM_FIELDS = [
  'permissions',
  'restrictions',
  'conditions',
  'copyleft',
  'commercial_use',
  'attribution',
  'share_alike',
  'no_derivatives',
];
const EXCEPTION_FIELDS = ['id', 'name', 'url', 'overrides'];
const COMPATIBILITY_FIELDS = ['from', 'into', 'note'];
const RULE_FIELDS = ['id', 'severity', 'explanation', 'hint', 'when', 'unless', 'enabled'];
const SETTINGS_FIELDS = ['unclassified', 'unknown_families', 'default_use'];

export function readLayer(src: YamlSource, isOverlay: boolean): Layer {
  const root: Location = { src, path: [] };
  const data = src.data();
  if (!isPlainObject(data)) {
    failAt(
      root,
      'the license taxonomy must be a YAML mapping',
      'See the schema at the top of licenses.yaml.',
    );
  }
  checkKeys(data, TOP_LEVEL, root);
  if (!isOverlay) {
    for (const key of REQUIRED_IN_BASE) {
      if (!(key in data)) failAt(root, `missing top-level key "${key}"`);
    }
  }
  const layer: Layer = {
    src,
    isOverlay,
    settings: new Map(),
    domains: [],
    families: [],
    vocabulary: { permissions: [], restrictions: [], conditions: [] },
    licenses: [],
    exceptions: [],
    compatibility: [],
    rules: [],
  };
  if ('version' in data) {
    const at = child(root, 'version');
    if (data.version !== SCHEMA_VERSION) {
      failAt(
        at,
        `unsupported taxonomy version ${JSON.stringify(data.version)}`,
        `This build reads version ${SCHEMA_VERSION}.`,
      );
    }
    layer.version = SCHEMA_VERSION;
  }
  if ('settings' in data) {
    const at = child(root, 'settings');
    const settings = expectMap(data.settings, at);
    checkKeys(settings, SETTINGS_FIELDS, at);
    for (const [key, value] of Object.entries(settings)) {
      layer.settings.set(key, { value, loc: child(at, key) });
    }
  }
  if ('domains' in data) layer.domains = readWords(data.domains, child(root, 'domains'));
  if ('families' in data) layer.families = readWords(data.families, child(root, 'families'));
  if ('vocabulary' in data) {
    const at = child(root, 'vocabulary');
    const vocabulary = expectMap(data.vocabulary, at);
    checkKeys(vocabulary, ['permissions', 'restrictions', 'conditions'], at);
    for (const kind of ['permissions', 'restrictions', 'conditions'] as const) {
      if (kind in vocabulary) layer.vocabulary[kind] = readWords(vocabulary[kind], child(at, kind));
    }
  }
  layer.licenses = readEntries(data, 'licenses', LICENSE_FIELDS, root, 'id');
  layer.exceptions = readEntries(data, 'exceptions', EXCEPTION_FIELDS, root, 'id');
  layer.compatibility = readEntries(data, 'compatibility', COMPATIBILITY_FIELDS, root, 'from');
  layer.rules = readEntries(data, 'rules', RULE_FIELDS, root, 'id');
  return layer;
}

function readEntries(
  data: Record<string, unknown>,
  key: string,
  allowed: readonly string[],
  root: Location,
  keyField: string,
): Entry[] {
  if (!(key in data) || data[key] === null) return [];
  const at = child(root, key);
  const list = data[key];
  if (!Array.isArray(list)) failAt(at, `"${key}" must be a list`);
  return list.map((raw, i) => {
    const loc = child(at, i);
    const entry = expectMap(raw, loc);
    checkKeys(entry, allowed, loc);
    if (typeof entry[keyField] !== 'string' || entry[keyField] === '') {
      failAt(loc, `every entry of "${key}" needs a "${keyField}" string`);
    }
    const fields = new Map<string, { value: unknown; loc: Location }>();
    for (const [name, value] of Object.entries(entry))
      fields.set(name, { value, loc: child(loc, name) });
    return { loc, fields };
  });
}

function readWords(raw: unknown, loc: Location): Listed[] {
  if (!Array.isArray(raw)) failAt(loc, 'expected a list of words');
  return raw.map((value, i) => {
    if (typeof value !== 'string' || value === '')
      failAt(child(loc, i), 'expected a non-empty string');
    return { value, loc: child(loc, i) };
  });
}

export function expectMap(raw: unknown, loc: Location): Record<string, unknown> {
  if (!isPlainObject(raw)) failAt(loc, 'expected a mapping');
  return raw;
}

export function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  loc: Location,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      failAt(child(loc, key), `unknown key "${key}"`, `Allowed here: ${allowed.join(', ')}.`);
    }
  }
}

// ───────────────────────────── small readers ─────────────────────────────

export function stringList(raw: unknown, loc: Location): string[] {
  if (!Array.isArray(raw)) failAt(loc, 'expected a list of strings');
  const seen = new Set<string>();
  return raw.map((value, i) => {
    if (typeof value !== 'string' || value === '')
      failAt(child(loc, i), 'expected a non-empty string');
    if (seen.has(value)) failAt(child(loc, i), `"${value}" is listed twice`);
    seen.add(value);
    return value;
  });
}

export function optionalString(
  entry: { value: unknown; loc: Location } | undefined,
): string | undefined {
  if (!entry || entry.value === null) return undefined;
  if (typeof entry.value !== 'string') failAt(entry.loc, 'expected a string');
  return entry.value.trim() || undefined;
}

export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  loc: Location,
  name: string,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    failAt(loc, `${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

export function at(loc: Location): string {
  return loc.src.at(loc.path);
}
