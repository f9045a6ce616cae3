import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli';

export interface SpdxValidation {
  /** JSON schema errors (spdx-spec 3.0.1/rdf/schema.json); empty when valid. */
  schema: string[];
  /** SHACL (spdx-model.ttl) over the document's RDF, with the model's class hierarchy. */
  shacl: { conforms: boolean; results: { message: string[]; focus?: string; path?: string }[] };
  triples: number;
}

/** Validates an SPDX 3.0.1 document with the official schema and shapes (in a child process). */
export function validateSpdx(document: unknown): SpdxValidation {
  const r = spawnSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'validate-spdx.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(document),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`SPDX validator failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as SpdxValidation;
}

type Node = Record<string, unknown>;

/** SPDX license individuals that stand for an AnyLicenseInfo without a graph element. */
const LICENSE_INDIVIDUALS = [
  'expandedlicensing_NoAssertionLicense',
  'expandedlicensing_NoneLicense',
];
const LICENSE_TYPES = [
  'simplelicensing_LicenseExpression',
  'simplelicensing_SimpleLicensingText',
  'expandedlicensing_ListedLicense',
  'expandedlicensing_CustomLicense',
  'expandedlicensing_ConjunctiveLicenseSet',
  'expandedlicensing_DisjunctiveLicenseSet',
  'expandedlicensing_WithAdditionOperator',
  'expandedlicensing_OrLaterOperator',
];

/** Properties SPDX 3.0.1 makes mandatory on a class ("External properties cardinality updates"). */
const REQUIRED: Record<string, Record<string, [min: number, max?: number]>> = {
  dataset_DatasetPackage: {
    builtTime: [1],
    originatedBy: [1, 1],
    releaseTime: [1],
    software_downloadLocation: [1],
    software_primaryPurpose: [1],
  },
  ai_AIPackage: {
    releaseTime: [1],
    suppliedBy: [1],
    software_downloadLocation: [1],
    software_packageVersion: [1],
    software_primaryPurpose: [1],
  },
};

/**
 * The Dataset and AI profiles' rules that neither the JSON schema nor the SHACL shapes express:
 * the profile conformance clauses (every DatasetPackage and AIPackage is the `from` of exactly one
 * hasDeclaredLicense and one hasConcludedLicense relationship whose `to` is an AnyLicenseInfo)
 * and the classes' cardinality updates. Returns what is broken; empty when the document conforms.
 */
export function profileViolations(document: { '@graph': Node[] }): string[] {
  const graph = document['@graph'];
  const byId = new Map(graph.map((n) => [n.spdxId as string, n]));
  const isLicense = (id: string): boolean =>
    LICENSE_INDIVIDUALS.includes(id) || LICENSE_TYPES.includes(byId.get(id)?.type as string);
  const out: string[] = [];
  for (const n of graph) {
    const rules = REQUIRED[n.type as string];
    if (!rules) continue;
    const id = n.spdxId as string;
    for (const [key, [min, max]] of Object.entries(rules)) {
      const count = n[key] === undefined ? 0 : [n[key]].flat().length;
      if (count < min || (max !== undefined && count > max))
        out.push(`${id}: ${key} has ${count} values`);
    }
    for (const kind of ['hasDeclaredLicense', 'hasConcludedLicense']) {
      const rels = graph.filter(
        (r) => r.type === 'Relationship' && r.from === id && r.relationshipType === kind,
      );
      if (rels.length !== 1) out.push(`${id}: ${rels.length} ${kind} relationships`);
      for (const r of rels)
        for (const to of r.to as string[])
          if (!isLicense(to)) out.push(`${id}: ${kind} to ${to}, not a license`);
    }
  }
  return out;
}
