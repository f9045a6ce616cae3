/**
 * `spdx`: an SPDX 3.0.1 JSON-LD document (core, software, simpleLicensing and dataset profiles).
 *
 * - One `CreationInfo` (blank node `_:creationinfo`) that every element points at: specVersion
 *   3.0.1, created = generation time, createdBy the `SoftwareAgent` origin, createdUsing the `Tool`.
 * - One `dataset_DatasetPackage` per (source, license) of the session, verified by the SHA-256 of
 *   that source's fingerprints, and one for the session as a whole, verified by the session root
 *   (an RFC 6962 Merkle tree head over every sample's SHA-256 fingerprint, in observed order,
 *   which the Hash's comment says).
 * - One `simplelicensing_LicenseExpression` per license expression; each package has exactly one
 *   `hasDeclaredLicense` and one `hasConcludedLicense` relationship. An unknown license points at
 *   the SPDX individual `expandedlicensing_NoAssertionLicense`.
 * - The session package `contains` the source packages; the SpdxDocument's root is the session.
 *
 * What the store cannot know is left out rather than guessed: originatedBy, suppliedBy,
 * releaseTime and downloadLocation.
 */
import { ExportContext, builtAt, licenseOf } from './context';
import { NOASSERTION, ReadLicense, conjunction } from './licenses';

export const SPDX_CONTEXT = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';
export const SPDX_VERSION = '3.0.1';
/** The SPDX individual for "no assertion can be made about the license". */
export const SPDX_NO_ASSERTION_LICENSE = 'expandedlicensing_NoAssertionLicense';

const CREATION_INFO = '_:creationinfo';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type SpdxElement = { [key: string]: Json };

export interface SpdxDocument {
  '@context': string;
  '@graph': SpdxElement[];
}

/** SPDX 3 DateTime: UTC, whole seconds, `Z`. */
export function spdxTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const part = (text: string): string => encodeURIComponent(text);

export function spdxDocument(ctx: ExportContext): SpdxDocument {
  const p = ctx.provenance;
  const sid = p.session.session_id;
  const base = `urn:origin:session:${sid}`;
  const agentId = `urn:origin:agent:${part(p.generator.name)}`;
  const toolId = `urn:origin:tool:${part(p.generator.name)}:${part(p.generator.version)}`;
  const built = spdxTime(builtAt(ctx));
  const graph: SpdxElement[] = [];
  const element = (type: string, spdxId: string, fields: SpdxElement): SpdxElement => {
    const e: SpdxElement = { type, spdxId, creationInfo: CREATION_INFO, ...fields };
    graph.push(e);
    return e;
  };

  const creationInfo: SpdxElement = {
    type: 'CreationInfo',
    '@id': CREATION_INFO,
    specVersion: SPDX_VERSION,
    created: spdxTime(p.generated_at),
    createdBy: [agentId],
    createdUsing: [toolId],
  };
  element('SoftwareAgent', agentId, { name: p.generator.name });
  element('Tool', toolId, { name: `${p.generator.name} ${p.generator.version}` });

  // License expressions, one element each.
  const licenseIds = new Map<string, string>();
  const licenseTarget = (expression: string): string => {
    if (expression === NOASSERTION) return SPDX_NO_ASSERTION_LICENSE;
    let id = licenseIds.get(expression);
    if (!id) {
      id = `${base}:license:${part(expression)}`;
      licenseIds.set(expression, id);
      element('simplelicensing_LicenseExpression', id, {
        simplelicensing_licenseExpression: expression,
      });
    }
    return id;
  };

  let relationships = 0;
  const relate = (from: string, type: string, to: string[], extra: SpdxElement = {}): void => {
    relationships++;
    element('Relationship', `${base}:relationship:${relationships}`, {
      from,
      relationshipType: type,
      to,
      ...extra,
    });
  };

  const sessionId = `${base}:dataset`;
  element('dataset_DatasetPackage', sessionId, {
    name: `origin session ${sid}`,
    description:
      `Every sample observed in Origin session ${sid}: ${p.session.records} records ` +
      `(${p.session.distinct_samples} distinct), ${p.session.bytes} content bytes, ` +
      `${p.sources.length} source/license pairs.`,
    builtTime: built,
    software_primaryPurpose: 'data',
    dataset_datasetType: ['text'],
    dataset_datasetSize: p.session.bytes,
    verifiedUsing: [
      {
        type: 'Hash',
        algorithm: 'sha256',
        hashValue: p.integrity.session_root,
        comment:
          'Session root: the RFC 6962 Merkle tree head (SHA-256) over the 32-byte SHA-256 ' +
          `fingerprint of every observed sample, in observed order (${p.session.records} leaves). ` +
          `Check it with: origin verify --session ${sid} --root ${p.integrity.session_root}`,
      },
    ],
  });

  const sourceIds: string[] = [];
  const expressions: ReadLicense[] = [];
  for (const s of p.sources) {
    const reading = licenseOf(ctx, s.license);
    expressions.push(reading);
    const id = `${base}:source:${part(s.source)}:license:${part(s.license)}`;
    sourceIds.push(id);
    element('dataset_DatasetPackage', id, {
      name: s.source,
      description:
        `${s.records} records (${(s.share * 100).toFixed(2)}% of the session), ` +
        `${s.bytes} content bytes, recorded under license "${s.license}".`,
      builtTime: built,
      software_primaryPurpose: 'data',
      dataset_datasetType: ['text'],
      dataset_datasetSize: s.bytes,
      verifiedUsing: [
        {
          type: 'Hash',
          algorithm: 'sha256',
          hashValue: s.sha256,
          comment:
            "SHA-256 over the concatenated 32-byte fingerprints of this source's samples, " +
            'in session order.',
        },
      ],
    });
    const target = licenseTarget(reading.expression);
    relate(id, 'hasDeclaredLicense', [target]);
    relate(id, 'hasConcludedLicense', [target]);
  }
  // The whole declares nothing of its own; what it is concluded to be under is every part at once.
  relate(sessionId, 'hasDeclaredLicense', [SPDX_NO_ASSERTION_LICENSE]);
  relate(sessionId, 'hasConcludedLicense', [licenseTarget(conjunction(expressions))]);
  if (sourceIds.length) relate(sessionId, 'contains', sourceIds, { completeness: 'complete' });

  const documentId = `${base}:spdx-document`;
  const elements = graph.map((e) => e.spdxId as string);
  const document: SpdxElement = {
    type: 'SpdxDocument',
    spdxId: documentId,
    creationInfo: CREATION_INFO,
    name: `Origin provenance of session ${sid}`,
    profileConformance: ['core', 'software', 'simpleLicensing', 'dataset'],
    rootElement: [sessionId],
    element: elements,
  };
  return { '@context': SPDX_CONTEXT, '@graph': [creationInfo, document, ...graph] };
}

export function renderSpdx(ctx: ExportContext): string {
  return `${JSON.stringify(spdxDocument(ctx), null, 2)}\n`;
}
