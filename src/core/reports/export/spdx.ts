/**
 * `spdx`: an SPDX 3.0.1 JSON-LD document (core, software, simpleLicensing and dataset profiles).
 *
 * - One `CreationInfo` (blank node `_:creationinfo`) that every element points at: specVersion
 *   3.0.1, created = generation time, createdBy the `SoftwareAgent` origin, createdUsing the `Tool`.
 * - One `dataset_DatasetPackage` per (source, license) of the session, verified by the SHA-256 of
 *   that source's fingerprints, and one for the session as a whole, verified by the session root
 *   (an RFC 6962 Merkle tree head over every sample's SHA-256 fingerprint, in observed order);
 *   see below for why their algorithm is `other`.
 * - One `simplelicensing_LicenseExpression` per license expression; each package has exactly one
 *   `hasDeclaredLicense` and one `hasConcludedLicense` relationship (the Dataset profile's
 *   conformance rule). Declared is the license as recorded; concluded is how Origin read it, which
 *   differs when Origin corrected a string that was no SPDX expression (`Apache 2` is declared as
 *   a LicenseRef made from it and concluded `Apache-2.0`). An unknown license points at the SPDX
 *   individual `expandedlicensing_NoAssertionLicense` (so the document conforms to the
 *   expandedLicensing profile too). Every `LicenseRef-` in an expression is mapped by
 *   `simplelicensing_customIdToUri` to a `simplelicensing_SimpleLicensingText` saying what it is.
 * - The session root and the per-source digests are not hashes of a package's bytes, so their
 *   `Hash` has algorithm `other` and a comment that says how each is computed.
 * - The session package `contains` the source packages; the SpdxDocument's root is the session.
 * - One `ai_AIPackage` per training event built on the session's data (the lineage DAG), with
 *   `trainedOn` the session, `testedOn` the session when an evaluation of it names one of the
 *   session's dataset events, its hyper-parameters and its evaluations' metrics.
 *
 * SPDX 3.0.1 requires, on every DatasetPackage, exactly one originatedBy and at least one
 * builtTime, releaseTime, software_downloadLocation and software_primaryPurpose. A package here
 * is "the samples of source X observed under license L in session S", so each value is chosen to
 * be true of that, and each package's `comment` says what it means:
 *
 * - builtTime = releaseTime: when that set of samples was fixed. That is the session's end; for a
 *   session that has not ended (open, or interrupted), the time its last batch was recorded, or
 *   its start if it recorded none. Never when the source itself published anything, which the
 *   store does not know.
 * - originatedBy: an `Agent` per recorded source, named as the source was recorded and described
 *   as the party the samples came from. Agent is the class SPDX 3 gives a party of unknown kind
 *   (not claimed to be a Person, Organization or SoftwareAgent). The SPDX individual
 *   `NoAssertionElement` would claim even less, but it is an IndividualElement, not an Agent, and
 *   the range of originatedBy is Agent. The session package's Agent is whoever ran the session
 *   and so assembled the set; the records do not name that party, and the comment says so.
 * - software_downloadLocation: the recorded source name when it is an absolute URL with a
 *   download scheme (http, https, ftp, s3, gs, hf, git+https) and no credentials in it, as
 *   WHATWG-parsed; otherwise `NOASSERTION`. SPDX 3.0.1 defines no individual for an unknown
 *   xsd:anyURI; `NOASSERTION` is the SPDX 2 keyword for it, a valid anyURI (a relative
 *   reference), and says nothing false. No URL is ever made up.
 * - software_primaryPurpose: `data`; dataset_datasetType: `text` (Origin records text lines and
 *   JSON Lines records).
 */
import { BuiltAtBasis, ExportContext, builtAtWithBasis, licenseOf } from './context';
import { findLicense } from '../../licenses';
import { NOASSERTION, ReadLicense, conjunction, declaredExpression } from './licenses';
import { trainedModels } from './models';

export const SPDX_CONTEXT = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';
export const SPDX_VERSION = '3.0.1';
/** The SPDX individual for "no assertion can be made about the license". */
export const SPDX_NO_ASSERTION_LICENSE = 'expandedlicensing_NoAssertionLicense';
/** What software_downloadLocation says when no download location is known (see above). */
export const SPDX_NO_ASSERTION_LOCATION = 'NOASSERTION';

/** URL schemes a recorded source name may use to count as a download location. */
const DOWNLOAD_SCHEMES = new Set(['http:', 'https:', 'ftp:', 's3:', 'gs:', 'hf:', 'git+https:']);

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

/**
 * The download location a recorded source name states, if it is one: an absolute URL with a
 * download scheme and a host, without user name or password. Else null.
 */
export function sourceDownloadLocation(source: string): string | null {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return null;
  }
  if (!DOWNLOAD_SCHEMES.has(url.protocol) || url.host === '') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

function timeMeaning(basis: BuiltAtBasis, status: string, at: string): string {
  switch (basis) {
    case 'session-end':
      return `when the session ended (${status}), ${at}`;
    case 'last-batch':
      return `the session has not ended (it is open or was interrupted), so the time its last batch was recorded, ${at}`;
    case 'session-start':
      return `the session has not ended and recorded no batch, so its start, ${at}`;
  }
}

export function spdxDocument(ctx: ExportContext): SpdxDocument {
  const p = ctx.provenance;
  const sid = p.session.session_id;
  const base = `urn:origin:session:${sid}`;
  const agentId = `urn:origin:agent:${part(p.generator.name)}`;
  const toolId = `urn:origin:tool:${part(p.generator.name)}:${part(p.generator.version)}`;
  const fixed = builtAtWithBasis(ctx);
  const built = spdxTime(fixed.at);
  const timeNote =
    `builtTime and releaseTime are when this set of samples was fixed: ` +
    `${timeMeaning(fixed.basis, p.session.status, built)}. They are not when any source published ` +
    'its data, which the records do not hold.';
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

  // The LicenseRefs that stand for recorded strings that are no SPDX expression.
  const recordedRefs = new Map<string, string>();
  for (const s of p.sources) {
    const reading = licenseOf(ctx, s.license);
    const declared = declaredExpression(reading);
    if (declared !== reading.expression && declared !== NOASSERTION)
      recordedRefs.set(declared, reading.recorded);
  }
  // What each LicenseRef stands for: a SimpleLicensingText element, which customIdToUri names.
  const refTexts = new Map<string, string>();
  const refText = (ref: string): string => {
    let id = refTexts.get(ref);
    if (!id) {
      id = `${base}:license-text:${part(ref)}`;
      refTexts.set(ref, id);
      const recorded = recordedRefs.get(ref);
      const known = findLicense(ctx.taxonomy, ref);
      element('simplelicensing_SimpleLicensingText', id, {
        name: ref,
        simplelicensing_licenseText:
          recorded !== undefined
            ? `The license recorded as "${recorded}", which is not an SPDX license expression. ` +
              'Its text is not part of the records.'
            : known
              ? `${known.name}${known.url ? ` (${known.url})` : ''}, as the license taxonomy ` +
                'names it. Its text is not part of the records.'
              : `${ref}, as recorded. Its text is not part of the records.`,
      });
    }
    return id;
  };
  // License expressions, one element each.
  const licenseIds = new Map<string, string>();
  const licenseTarget = (expression: string): string => {
    if (expression === NOASSERTION) return SPDX_NO_ASSERTION_LICENSE;
    let id = licenseIds.get(expression);
    if (!id) {
      id = `${base}:license:${part(expression)}`;
      licenseIds.set(expression, id);
      const refs = [...new Set(expression.match(/\bLicenseRef-[A-Za-z0-9.-]+/g) ?? [])];
      element('simplelicensing_LicenseExpression', id, {
        simplelicensing_licenseExpression: expression,
        ...(refs.length
          ? {
              simplelicensing_customIdToUri: refs.map((ref) => ({
                type: 'DictionaryEntry',
                key: ref,
                value: refText(ref),
              })),
            }
          : {}),
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

  const operatorId = `${base}:agent:operator`;
  element('Agent', operatorId, {
    name: `operator of Origin session ${sid}`,
    description:
      `Whoever ran Origin session ${sid} and so assembled its samples from their sources. ` +
      'The records do not name this party.',
  });
  const sourceAgents = new Map<string, string>();
  const sourceAgent = (source: string): string => {
    let id = sourceAgents.get(source);
    if (!id) {
      id = `${base}:agent:source:${part(source)}`;
      sourceAgents.set(source, id);
      element('Agent', id, {
        name: source,
        description:
          `The party the samples recorded as source "${source}" came from, named as Origin ` +
          'recorded the source. Nothing more about it is recorded, not even whether it is a ' +
          'person, an organization or software.',
      });
    }
    return id;
  };

  const sessionId = `${base}:dataset`;
  element('dataset_DatasetPackage', sessionId, {
    name: `origin session ${sid}`,
    description:
      `Every sample observed in Origin session ${sid}: ${p.session.records} records ` +
      `(${p.session.distinct_samples} distinct), ${p.session.bytes} content bytes, ` +
      `${p.sources.length} source/license pairs.`,
    comment:
      `${timeNote} originatedBy is the operator of the session, whom the records do not name. ` +
      `software_downloadLocation is ${SPDX_NO_ASSERTION_LOCATION}: the session's samples as a ` +
      'whole are not published anywhere that Origin knows of.',
    originatedBy: [operatorId],
    builtTime: built,
    releaseTime: built,
    software_downloadLocation: SPDX_NO_ASSERTION_LOCATION,
    software_primaryPurpose: 'data',
    dataset_datasetType: ['text'],
    dataset_datasetSize: p.session.bytes,
    verifiedUsing: [
      {
        type: 'Hash',
        algorithm: 'other',
        hashValue: p.integrity.session_root,
        comment:
          'Not a SHA-256 of the package: the session root, the RFC 6962 Merkle tree head ' +
          '(SHA-256, leaf 0x00||d, node 0x01||l||r) over the 32-byte SHA-256 ' +
          `fingerprint of every observed sample, in observed order (${p.session.records} leaves). ` +
          `Check it with: ${p.integrity.verify_command}`,
      },
      {
        type: 'Hash',
        algorithm: 'other',
        hashValue: p.integrity.session_head,
        comment:
          'Not a SHA-256 of the package: the session head (SPEC §2.2), SHA-256 of the RFC 8785 form of every claim about the session ' +
          '(status, times, config hash, metadata, totals, the session root and the origins root over ' +
          `every observation's source and license). Check it with: ${p.integrity.verify_command}`,
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
    const location = sourceDownloadLocation(s.source);
    const originator = sourceAgent(s.source);
    element('dataset_DatasetPackage', id, {
      name: s.source,
      description:
        `${s.records} records (${(s.record_share * 100).toFixed(2)}% of the session's records), ` +
        `${s.bytes} content bytes (${(s.byte_share * 100).toFixed(2)}% of its content bytes), ` +
        `recorded under license "${s.license}".`,
      comment:
        `The samples of source "${s.source}" observed under license "${s.license}" in Origin ` +
        `session ${sid}, not the source as a whole. ${timeNote} originatedBy is the party the ` +
        'source stands for, as recorded. ' +
        (location
          ? 'software_downloadLocation is the recorded source name, which is a URL; it locates ' +
            'the source, which may have changed since.'
          : `software_downloadLocation is ${SPDX_NO_ASSERTION_LOCATION}: the recorded source ` +
            'name is not a URL and Origin records no download location.'),
      originatedBy: [originator],
      builtTime: built,
      releaseTime: built,
      software_downloadLocation: location ?? SPDX_NO_ASSERTION_LOCATION,
      software_primaryPurpose: 'data',
      dataset_datasetType: ['text'],
      dataset_datasetSize: s.bytes,
      verifiedUsing: [
        {
          type: 'Hash',
          algorithm: 'other',
          hashValue: s.sha256,
          comment:
            "Not a SHA-256 of the package's content: SHA-256 over the concatenated 32-byte " +
            "SHA-256 fingerprints of this source's samples, in session order.",
        },
      ],
    });
    // Declared: what was recorded. Concluded: how Origin read it (a correction, when it made one).
    relate(id, 'hasDeclaredLicense', [licenseTarget(declaredExpression(reading))]);
    relate(id, 'hasConcludedLicense', [licenseTarget(reading.expression)]);
  }
  // The whole declares nothing of its own; what it is concluded to be under is every part at once.
  relate(sessionId, 'hasDeclaredLicense', [SPDX_NO_ASSERTION_LICENSE]);
  relate(sessionId, 'hasConcludedLicense', [licenseTarget(conjunction(expressions))]);
  if (sourceIds.length) relate(sessionId, 'contains', sourceIds, { completeness: 'complete' });

  // The models trained on this data (lineage training events) and what they were tested on.
  const models = trainedModels(ctx);
  for (const m of models) {
    const id = `${base}:model:${m.hash}`;
    const trainer = `${base}:agent:trainer:${m.hash}`;
    element('Agent', trainer, {
      name: `trainer of ${m.name}`,
      description:
        `Whoever ran the training recorded as Origin lineage event ${m.hash}. ` +
        'The records do not name this party.',
    });
    const metrics = m.evaluations.flatMap((e) =>
      e.metrics.map(([key, value]) => ({
        type: 'DictionaryEntry',
        key: e.split ? `${key} (${e.split})` : key,
        value: String(value),
      })),
    );
    const released = spdxTime(m.finished_at ?? m.timestamp);
    const elsewhere = m.evaluations.filter((e) => !e.on_session);
    element('ai_AIPackage', id, {
      name: m.name,
      description:
        `The model of Origin training event ${m.hash}` +
        (m.run_id ? ` (run ${m.run_id})` : '') +
        ', trained on the samples of this session.',
      comment:
        `releaseTime is ${m.finished_at ? 'when the training finished, as recorded' : 'when the training event was recorded'} ` +
        `(${released}), not when the model was published, which the records do not hold. ` +
        `suppliedBy is whoever trained it, whom the records do not name. ` +
        `software_packageVersion is ${m.version ? 'the model version recorded' : 'NOASSERTION: no model version was recorded'}. ` +
        `The lineage event hash ${m.hash} is the SHA-256 of the event's JCS form (SPEC §3), ` +
        'not a hash of any model file, so it is not a verifiedUsing Hash.' +
        (elsewhere.length
          ? ` Evaluations on datasets outside this document: ${elsewhere.map((e) => `${e.hash} (dataset event ${e.dataset ?? 'none'})`).join(', ')}.`
          : ''),
      suppliedBy: trainer,
      releaseTime: released,
      software_downloadLocation: SPDX_NO_ASSERTION_LOCATION,
      software_packageVersion: m.version ?? NOASSERTION,
      software_primaryPurpose: 'model',
      ai_informationAboutTraining:
        `Trained on Origin session ${sid} (session root ${p.integrity.session_root}) through ` +
        `dataset event${m.datasets.length === 1 ? '' : 's'} ${m.datasets.join(', ')}.`,
      ...(m.params.length
        ? {
            ai_hyperparameter: m.params.map(([key, value]) => ({
              type: 'DictionaryEntry',
              key,
              value,
            })),
          }
        : {}),
      ...(metrics.length ? { ai_metric: metrics } : {}),
    });
    relate(id, 'hasDeclaredLicense', [SPDX_NO_ASSERTION_LICENSE]);
    relate(id, 'hasConcludedLicense', [SPDX_NO_ASSERTION_LICENSE]);
    relate(id, 'trainedOn', [sessionId]);
    if (m.evaluations.some((e) => e.on_session)) relate(id, 'testedOn', [sessionId]);
  }

  const documentId = `${base}:spdx-document`;
  const elements = graph.map((e) => e.spdxId as string);
  const document: SpdxElement = {
    type: 'SpdxDocument',
    spdxId: documentId,
    creationInfo: CREATION_INFO,
    name: `Origin provenance of session ${sid}`,
    profileConformance: [
      'core',
      'software',
      'simpleLicensing',
      'dataset',
      'expandedLicensing',
      ...(models.length ? ['ai'] : []),
    ],
    rootElement: [sessionId],
    element: elements,
  };
  return { '@context': SPDX_CONTEXT, '@graph': [creationInfo, document, ...graph] };
}

export function renderSpdx(ctx: ExportContext): string {
  return `${JSON.stringify(spdxDocument(ctx), null, 2)}\n`;
}
