/**
 * `cyclonedx`: a CycloneDX 1.6 JSON BOM of the session's training data.
 *
 * - serialNumber: a UUID v5 of the session id and the generation time, so the same store gives
 *   the same BOM under SOURCE_DATE_EPOCH; version 1.
 * - metadata: timestamp, tools.components (origin itself), and the session as a `data` component.
 *   Its session root (an RFC 6962 Merkle tree head) is a property, not a `hashes` entry: it is
 *   no hash of the data's bytes, and CycloneDX has no algorithm name for it.
 * - components: one `data` component per (source, license): licenses (`license.id` for a single
 *   SPDX License List id, `license.name` for LicenseRef- and unknown licenses, else one
 *   `expression`; `declared` as recorded, plus the `concluded` reading when Origin corrected the
 *   recorded string), the SHA-256 of the source's fingerprints as a property, an
 *   `externalReferences` distribution entry when the source name is a download URL, and
 *   `data: [{type: "dataset"}]`.
 * - one `machine-learning-model` component per training event built on the session's data (from
 *   the lineage DAG), whose modelCard.modelParameters.datasets names the session and whose
 *   quantitativeAnalysis holds its evaluations' metrics.
 * - dependencies: the session depends on each source; each model depends on the session.
 */
import { createHash } from 'node:crypto';
import { isSpdxLicenseId } from '../../licenses';
import { ExportContext, licenseOf, verifyCommand } from './context';
import { NOASSERTION, ReadLicense, conjunction } from './licenses';
import { sourceDownloadLocation } from './spdx';
import { TrainedModel, trainedModels } from './models';

export const CYCLONEDX_SPEC_VERSION = '1.6';
const SCHEMA = 'http://cyclonedx.org/schema/bom-1.6.schema.json';
/** RFC 4122 name-space for URLs (and URNs): the UUID v5 of our BOMs hangs off it. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

type Acknowledgement = 'declared' | 'concluded';

type CdxLicense =
  | { id: string; acknowledgement: Acknowledgement }
  | { name: string; acknowledgement: Acknowledgement };

export type CdxLicenseChoice =
  { license: CdxLicense }[] | [{ expression: string; acknowledgement: Acknowledgement }];

export interface CdxProperty {
  name: string;
  value: string;
}

export interface CdxModelCard {
  modelParameters: { datasets: { ref: string }[] };
  quantitativeAnalysis?: {
    performanceMetrics: { type: string; value: string; slice?: string }[];
  };
}

export interface CdxComponent {
  type: 'data' | 'application' | 'machine-learning-model';
  'bom-ref'?: string;
  name: string;
  version?: string;
  description?: string;
  hashes?: { alg: 'SHA-256'; content: string }[];
  licenses?: CdxLicenseChoice;
  data?: { type: 'dataset'; name: string; description?: string }[];
  externalReferences?: { type: 'distribution'; url: string; comment?: string }[];
  modelCard?: CdxModelCard;
  properties?: CdxProperty[];
}

export interface CycloneDxBom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: typeof CYCLONEDX_SPEC_VERSION;
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: CdxComponent[] };
    component: CdxComponent;
  };
  components: CdxComponent[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

/** RFC 4122 §4.3 name-based UUID, version 5 (SHA-1). */
export function uuidV5(name: string, namespace = URL_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The CycloneDX license choice for a license reading. */
export function cdxLicenses(
  reading: ReadLicense,
  acknowledgement: Acknowledgement,
): CdxLicenseChoice {
  if (!reading.known) return [{ license: { name: reading.recorded, acknowledgement } }];
  if (reading.single) {
    const id = reading.ids[0];
    return isSpdxLicenseId(id)
      ? [{ license: { id, acknowledgement } }]
      : [{ license: { name: id, acknowledgement } }];
  }
  return [{ expression: reading.expression, acknowledgement }];
}

/**
 * A source's licenses: as recorded (`declared`) and, when Origin corrected a string that was no
 * SPDX expression, its reading (`concluded`). CycloneDX does not mix license objects with an
 * expression, so a corrected compound expression is the concluded expression alone and the
 * recorded string is the `origin:declared_license` property.
 */
function sourceLicenses(reading: ReadLicense): CdxLicenseChoice {
  if (!reading.corrected) return cdxLicenses(reading, 'declared');
  const declared = { license: { name: reading.recorded, acknowledgement: 'declared' as const } };
  if (!reading.known) return [declared];
  if (!reading.single) return cdxLicenses(reading, 'concluded');
  const [concluded] = cdxLicenses(reading, 'concluded') as { license: CdxLicense }[];
  return [declared, concluded] as CdxLicenseChoice;
}

const prop = (name: string, value: string | number): CdxProperty => ({
  name: `origin:${name}`,
  value: String(value),
});

export function cyclonedxBom(ctx: ExportContext): CycloneDxBom {
  const p = ctx.provenance;
  const s = p.session;
  const sid = s.session_id;
  const sessionRef = `origin-session-${sid}`;
  const readings: ReadLicense[] = [];
  const components: CdxComponent[] = p.sources.map((x) => {
    const reading = licenseOf(ctx, x.license);
    readings.push(reading);
    const location = sourceDownloadLocation(x.source);
    return {
      type: 'data',
      'bom-ref': `${sessionRef}:source:${encodeURIComponent(x.source)}:license:${encodeURIComponent(x.license)}`,
      name: x.source,
      description:
        `${x.records} records (${(x.record_share * 100).toFixed(2)}% of the session's records), ` +
        `${x.bytes} content bytes (${(x.byte_share * 100).toFixed(2)}% of its content bytes).`,
      licenses: sourceLicenses(reading),
      ...(location
        ? {
            externalReferences: [
              {
                type: 'distribution',
                url: location,
                comment: 'The recorded source name, a URL; the source may have changed since.',
              },
            ],
          }
        : {}),
      data: [{ type: 'dataset', name: x.source }],
      properties: [
        prop('license', x.license),
        ...(reading.corrected && reading.known && !reading.single
          ? [prop('declared_license', x.license)]
          : []),
        prop('records', x.records),
        prop('content_bytes', x.bytes),
        prop('record_share', x.record_share),
        prop('byte_share', x.byte_share),
        prop('fingerprints_sha256', x.sha256),
        prop(
          'fingerprints_sha256_is',
          "SHA-256 over the concatenated 32-byte fingerprints of this source's samples, in " +
            "session order (not a hash of the samples' bytes, so not a component hash)",
        ),
      ],
    };
  });
  const concluded = conjunction(readings);
  const whole: ReadLicense = {
    recorded: concluded,
    expression: concluded,
    ids: [concluded],
    known: concluded !== NOASSERTION,
    single: !/\s/.test(concluded),
    terms: [{ id: concluded }],
    corrected: false,
  };
  const session: CdxComponent = {
    type: 'data',
    'bom-ref': sessionRef,
    name: `origin-session-${sid}`,
    description:
      `Every sample observed in Origin session ${sid}: ${s.records} records ` +
      `(${s.distinct_samples} distinct), ${s.bytes} content bytes, ${p.sources.length} source/license pairs.`,
    licenses: cdxLicenses(whole, 'concluded'),
    data: [{ type: 'dataset', name: `origin session ${sid}` }],
    properties: [
      prop('session_id', sid),
      prop('session_root', p.integrity.session_root),
      prop(
        'session_root_is',
        'RFC 6962 Merkle tree head (SHA-256) over the 32-byte SHA-256 fingerprint of every ' +
          'observed sample, in observed order (not a hash of any bytes of the data, so not a ' +
          'component hash)',
      ),
      prop('origins_root', p.integrity.origins_root),
      prop('session_head', p.integrity.session_head),
      prop('records', s.records),
      prop('distinct_samples', s.distinct_samples),
      prop('duplicates', s.duplicates),
      prop('content_bytes', s.bytes),
      prop('batches', p.integrity.batches),
      prop('license', p.licenses.license),
      prop('intended_use', p.licenses.use),
      prop('use_category', p.licenses.use_category),
      prop('conflicts', p.licenses.conflicts.length),
      prop('warnings', p.licenses.warnings.length),
      prop('verify', verifyCommand(ctx)),
    ],
  };
  const models = trainedModels(ctx).map((m) => modelComponent(m, sessionRef));
  return {
    $schema: SCHEMA,
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: `urn:uuid:${uuidV5(`urn:origin:session:${sid}:cyclonedx@${p.generated_at}`)}`,
    version: 1,
    metadata: {
      timestamp: p.generated_at,
      tools: {
        components: [{ type: 'application', name: p.generator.name, version: p.generator.version }],
      },
      component: session,
    },
    components: [...components, ...models],
    dependencies: [
      components.length
        ? { ref: sessionRef, dependsOn: components.map((c) => c['bom-ref'] as string) }
        : { ref: sessionRef },
      ...components.map((c) => ({ ref: c['bom-ref'] as string })),
      ...models.map((m) => ({ ref: m['bom-ref'] as string, dependsOn: [sessionRef] })),
    ],
  };
}

/**
 * A training event as a `machine-learning-model` component: its model card names the session as
 * its dataset and its evaluations' metrics as performance metrics. The event hash is a property,
 * not a `hashes` entry: it is the hash of the lineage record, not of any model file.
 */
function modelComponent(m: TrainedModel, sessionRef: string): CdxComponent {
  const metrics = m.evaluations.flatMap((e) =>
    e.metrics.map(([type, value]) => ({
      type,
      value: String(value),
      ...(e.split ? { slice: e.split } : {}),
    })),
  );
  return {
    type: 'machine-learning-model',
    'bom-ref': `origin-lineage-${m.hash}`,
    name: m.name,
    ...(m.version ? { version: m.version } : {}),
    description:
      `The model of Origin training event ${m.hash}, trained on this session's data ` +
      `(through dataset event${m.datasets.length === 1 ? '' : 's'} ${m.datasets.join(', ')}).`,
    modelCard: {
      modelParameters: { datasets: [{ ref: sessionRef }] },
      ...(metrics.length ? { quantitativeAnalysis: { performanceMetrics: metrics } } : {}),
    },
    properties: [
      prop('lineage_event', m.hash),
      prop('lineage_event_hash', 'SHA-256 of the JCS form of the lineage event (SPEC §3)'),
      prop('recorded_at', m.timestamp),
      ...(m.run_id ? [prop('run_id', m.run_id)] : []),
      ...(m.started_at ? [prop('started_at', m.started_at)] : []),
      ...(m.finished_at ? [prop('finished_at', m.finished_at)] : []),
      ...m.params.map(([k, v]) => prop(`param:${k}`, v)),
      ...m.datasets.map((d) => prop('dataset_event', d)),
      ...m.evaluations.map((e) => prop('evaluation_event', e.hash)),
    ],
  };
}

export function renderCycloneDx(ctx: ExportContext): string {
  return `${JSON.stringify(cyclonedxBom(ctx), null, 2)}\n`;
}
