/**
 * `cyclonedx`: a CycloneDX 1.6 JSON BOM of the session's training data.
 *
 * - serialNumber: a UUID v5 of the session id and the generation time, so the same store gives
 *   the same BOM under SOURCE_DATE_EPOCH; version 1.
 * - metadata: timestamp, tools.components (origin itself), and the session as a `data` component
 *   whose SHA-256 hash is the session root (an RFC 6962 Merkle tree head, its properties say so).
 * - components: one `data` component per (source, license): licenses (`license.id` for a single
 *   SPDX License List id, `license.name` for LicenseRef- and unknown licenses, else one
 *   `expression`), the SHA-256 of the source's fingerprints, and `data: [{type: "dataset"}]`.
 * - dependencies: the session depends on each source.
 */
import { createHash } from 'node:crypto';
import { isSpdxLicenseId } from '../../licenses';
import { ExportContext, licenseOf, verifyCommand } from './context';
import { NOASSERTION, ReadLicense, conjunction } from './licenses';

export const CYCLONEDX_SPEC_VERSION = '1.6';
const SCHEMA = 'http://cyclonedx.org/schema/bom-1.6.schema.json';
/** RFC 4122 name-space for URLs (and URNs): the UUID v5 of our BOMs hangs off it. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

type Acknowledgement = 'declared' | 'concluded';

export type CdxLicenseChoice =
  | { license: { id: string; acknowledgement: Acknowledgement } }[]
  | { license: { name: string; acknowledgement: Acknowledgement } }[]
  | [{ expression: string; acknowledgement: Acknowledgement }];

export interface CdxProperty {
  name: string;
  value: string;
}

export interface CdxComponent {
  type: 'data' | 'application';
  'bom-ref'?: string;
  name: string;
  version?: string;
  description?: string;
  hashes?: { alg: 'SHA-256'; content: string }[];
  licenses?: CdxLicenseChoice;
  data?: { type: 'dataset'; name: string; description?: string }[];
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
    return {
      type: 'data',
      'bom-ref': `${sessionRef}:source:${encodeURIComponent(x.source)}:license:${encodeURIComponent(x.license)}`,
      name: x.source,
      description: `${x.records} records (${(x.share * 100).toFixed(2)}% of the session), ${x.bytes} content bytes.`,
      hashes: [{ alg: 'SHA-256', content: x.sha256 }],
      licenses: cdxLicenses(reading, 'declared'),
      data: [{ type: 'dataset', name: x.source }],
      properties: [
        prop('license', x.license),
        prop('records', x.records),
        prop('content_bytes', x.bytes),
        prop('share', x.share),
        prop(
          'hash',
          "SHA-256 over the concatenated 32-byte fingerprints of this source's samples, in session order",
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
  };
  const session: CdxComponent = {
    type: 'data',
    'bom-ref': sessionRef,
    name: `origin-session-${sid}`,
    description:
      `Every sample observed in Origin session ${sid}: ${s.records} records ` +
      `(${s.distinct_samples} distinct), ${s.bytes} content bytes, ${p.sources.length} source/license pairs.`,
    hashes: [{ alg: 'SHA-256', content: p.integrity.session_root }],
    licenses: cdxLicenses(whole, 'concluded'),
    data: [{ type: 'dataset', name: `origin session ${sid}` }],
    properties: [
      prop('session_id', sid),
      prop('session_root', p.integrity.session_root),
      prop(
        'hash',
        'session root: RFC 6962 Merkle tree head (SHA-256) over the 32-byte SHA-256 fingerprint of every observed sample, in observed order',
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
    components,
    dependencies: [
      components.length
        ? { ref: sessionRef, dependsOn: components.map((c) => c['bom-ref'] as string) }
        : { ref: sessionRef },
      ...components.map((c) => ({ ref: c['bom-ref'] as string })),
    ],
  };
}

export function renderCycloneDx(ctx: ExportContext): string {
  return `${JSON.stringify(cyclonedxBom(ctx), null, 2)}\n`;
}
