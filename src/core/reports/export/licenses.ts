/**
 * License facts the export formats share: how each recorded license string reads as SPDX, which
 * license ids it names, and the Hugging Face Hub license id of each.
 */
import { createHash } from 'node:crypto';
import { License, Taxonomy, findLicense, parseExpression } from '../../licenses';
import { LicenseExpression, LicenseTerm } from '../../licenses/expression';
import { readRecordedLicense } from '../../licenses/report';

export const NOASSERTION = 'NOASSERTION';

export interface ReadLicense {
  /** As recorded at ingest. */
  recorded: string;
  /** The normalised SPDX expression the license engine evaluates (NOASSERTION when unknown). */
  expression: string;
  /** The license ids the expression names, in order. */
  ids: readonly string[];
  /** False when the expression is, or contains, NOASSERTION: its terms are not known. */
  known: boolean;
  /** Exactly one license id, no operator and no exception. */
  single: boolean;
  /** Each license of the expression with its exception, if any, once each, in order. */
  terms: readonly LicenseTerm[];
  /**
   * The recorded string was not a valid SPDX expression as it stood: `expression` is Origin's
   * correction (or NOASSERTION), which exports state as the concluded license.
   */
  corrected: boolean;
}

/** Recorded strings that mean "no license was stated": declared as NoAssertion, not as a ref. */
const NO_LICENSE_STATED = new Set(['', 'unknown', 'noassertion']);

/**
 * The declared license of a reading: what was recorded. A valid SPDX expression as it is; a
 * string that means no license was stated as NOASSERTION; any other string as a LicenseRef made
 * from it (its letters, digits and dots, and 8 hex digits of its SHA-256 whenever that lost
 * something), so the declared license never claims Origin's correction.
 */
export function declaredExpression(reading: ReadLicense): string {
  if (!reading.corrected) return reading.expression;
  if (NO_LICENSE_STATED.has(reading.recorded.trim().toLowerCase())) return NOASSERTION;
  return recordedLicenseRef(reading.recorded);
}

/** The LicenseRef that stands for a recorded license string that is no SPDX expression. */
export function recordedLicenseRef(recorded: string): string {
  const kept = recorded.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
  const exact = kept === recorded && kept !== '';
  const digest = createHash('sha256').update(recorded, 'utf8').digest('hex').slice(0, 8);
  return `LicenseRef-${kept}${exact ? '' : `${kept ? '-' : ''}${digest}`}`;
}

/** Reads a recorded license string the way the license engine does (never throws). */
export function readLicense(taxonomy: Taxonomy, recorded: string): ReadLicense {
  const { expression, note } = readRecordedLicense(taxonomy, recorded);
  let ids: readonly string[] = [expression];
  let single = !/\s/.test(expression);
  let terms: LicenseTerm[] = [{ id: expression }];
  try {
    const parsed = parseExpression(expression, taxonomy);
    ids = parsed.licenses;
    single = parsed.tree.type === 'license' && parsed.tree.exception === undefined;
    terms = licenseNodes(parsed.tree);
  } catch {
    // readRecordedLicense already settled on an expression; keep it as one opaque id.
  }
  return {
    recorded,
    expression,
    ids,
    known: !ids.includes(NOASSERTION),
    single,
    terms,
    corrected: note !== undefined,
  };
}

/** The license nodes of an expression tree (id and exception), each once, in order. */
function licenseNodes(tree: LicenseExpression): LicenseTerm[] {
  const out: LicenseTerm[] = [];
  const walk = (node: LicenseExpression): void => {
    if (node.type !== 'license') return node.args.forEach(walk);
    if (!out.some((t) => t.id === node.id && t.exception === node.exception))
      out.push(node.exception ? { id: node.id, exception: node.exception } : { id: node.id });
  };
  walk(tree);
  return out;
}

/**
 * One conjunction of several expressions: what a whole made of all of them is licensed under.
 * NOASSERTION when any part is unknown.
 */
export function conjunction(expressions: readonly ReadLicense[]): string {
  if (expressions.length === 0 || expressions.some((e) => !e.known)) return NOASSERTION;
  const distinct = [...new Set(expressions.map((e) => e.expression))];
  if (distinct.length === 1) return distinct[0];
  return distinct.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' AND ');
}

/**
 * The Hugging Face Hub's license ids (the `license:` values a dataset or model card may use), in
 * the order of the Hub's list (docs/hub/repositories-licenses.md of huggingface/hub-docs; the
 * tests check this against a vendored copy). Anything else goes in as `other` with
 * `license_name` and `license_link`.
 */
export const HF_LICENSE_IDS: ReadonlySet<string> = new Set([
  'apache-2.0',
  'mit',
  'openrail',
  'bigscience-openrail-m',
  'creativeml-openrail-m',
  'bigscience-bloom-rail-1.0',
  'bigcode-openrail-m',
  'afl-3.0',
  'artistic-2.0',
  'bsl-1.0',
  'bsd',
  'bsd-2-clause',
  'bsd-3-clause',
  'bsd-3-clause-clear',
  'c-uda',
  'cc',
  'cc0-1.0',
  'cc-by-2.0',
  'cc-by-2.5',
  'cc-by-3.0',
  'cc-by-4.0',
  'cc-by-sa-3.0',
  'cc-by-sa-4.0',
  'cc-by-nc-2.0',
  'cc-by-nc-3.0',
  'cc-by-nc-4.0',
  'cc-by-nd-4.0',
  'cc-by-nc-nd-3.0',
  'cc-by-nc-nd-4.0',
  'cc-by-nc-sa-2.0',
  'cc-by-nc-sa-3.0',
  'cc-by-nc-sa-4.0',
  'cdla-sharing-1.0',
  'cdla-permissive-1.0',
  'cdla-permissive-2.0',
  'wtfpl',
  'ecl-2.0',
  'epl-1.0',
  'epl-2.0',
  'etalab-2.0',
  'eupl-1.1',
  'eupl-1.2',
  'agpl-3.0',
  'gfdl',
  'gpl',
  'gpl-2.0',
  'gpl-3.0',
  'lgpl',
  'lgpl-2.1',
  'lgpl-3.0',
  'isc',
  'h-research',
  'intel-research',
  'lppl-1.3c',
  'ms-pl',
  'apple-ascl',
  'apple-amlr',
  'mpl-2.0',
  'odc-by',
  'odbl',
  'openmdw-1.0',
  'openmdw-1.1',
  'openrail++',
  'osl-3.0',
  'postgresql',
  'ofl-1.1',
  'ncsa',
  'unlicense',
  'zlib',
  'pddl',
  'lgpl-lr',
  'deepfloyd-if-license',
  'fair-noncommercial-research-license',
  'llama2',
  'llama3',
  'llama3.1',
  'llama3.2',
  'llama3.3',
  'llama4',
  'grok2-community',
  'gemma',
  'unknown',
  'other',
]);

export interface HubLicense {
  /** The SPDX id (or LicenseRef-, NOASSERTION) it stands for. */
  spdx: string;
  /** A Hub id; `other` when the Hub has none. */
  hub: string;
  /** For `other`: a Hub-style name (lower case, hyphens) and a link, when known. */
  name?: string;
  link?: string;
}

/**
 * The Hub id of one license id: the id itself or one of its taxonomy aliases when the Hub lists
 * it (`CC-BY-4.0` → `cc-by-4.0`, `GPL-3.0-only` → `gpl-3.0`, `NOASSERTION` → `unknown`),
 * otherwise `other` with a name and, when the taxonomy has one, a link. A license with an
 * exception (`GPL-2.0-only WITH Classpath-exception-2.0`) is `other`, named with its exception.
 */
export function hubLicense(taxonomy: Taxonomy, id: string, exception?: string): HubLicense {
  const license: License | undefined = findLicense(taxonomy, id);
  if (exception !== undefined) {
    // The Hub has no ids for license exceptions: the license with its exception is `other`.
    const spdx = `${id} WITH ${exception}`;
    const link = license?.url ?? undefined;
    return { spdx, hub: 'other', name: hubName(spdx), ...(link ? { link } : {}) };
  }
  const candidates = [id, ...(license ? [license.id, ...license.aliases] : [])].map((c) =>
    c.toLowerCase(),
  );
  const hub = candidates.find((c) => HF_LICENSE_IDS.has(c) && c !== 'other');
  if (hub) return { spdx: id, hub };
  const link = license?.url ?? undefined;
  return {
    spdx: id,
    hub: 'other',
    name: hubName(id),
    ...(link ? { link } : {}),
  };
}

/** A Hub-style license name: lower case, runs of anything else than [a-z0-9.] as one hyphen. */
export function hubName(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
