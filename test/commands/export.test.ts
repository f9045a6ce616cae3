import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RECORD_FIELDS, CliResult, origin, tempDir } from '../helpers/cli';
import { referenceRoot, sha256Hex } from '../helpers/reference';
import { profileViolations, validateSpdx } from '../helpers/spdx';

interface Rec {
  text: string;
  source: string;
  license: string;
}

type Json = Record<string, unknown>;

const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const FORMATS = ['json', 'jsonl', 'mlflow', 'wandb', 'hf', 'spdx', 'cyclonedx', 'eu-ai-act'];
const SPDX_DATASET_TYPES = [
  'audio',
  'categorical',
  'graph',
  'image',
  'noAssertion',
  'numeric',
  'other',
  'sensor',
  'structured',
  'syntactic',
  'text',
  'timeseries',
  'timestamp',
  'video',
];
/** SPDX-defined license individuals a relationship may point at without a graph element. */
const SPDX_LICENSE_INDIVIDUALS = [
  'expandedlicensing_NoAssertionLicense',
  'expandedlicensing_NoneLicense',
];
/** Properties whose values are references to other elements (by spdxId). */
const SPDX_REFERENCE_PROPERTIES = [
  'from',
  'to',
  'rootElement',
  'element',
  'originatedBy',
  'suppliedBy',
  'createdBy',
  'createdUsing',
];
/** SPDX 3 DateTime: UTC, to the second. */
const SPDX_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('origin export', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;
  const records: Rec[] = [
    ...Array.from({ length: 6 }, (_, i) => ({
      text: `wiki article ${i}`,
      source: 'wikipedia',
      license: 'CC-BY-4.0',
    })),
    ...Array.from({ length: 4 }, (_, i) => ({
      text: `function f${i}() { return ${i}; }`,
      source: 'github-code',
      license: 'MIT',
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      text: `news story ${i}`,
      source: 'news',
      license: 'CC-BY-NC-4.0',
    })),
    ...Array.from({ length: 2 }, (_, i) => ({
      text: `forum post ${i} — ünïcödé`,
      source: 'forum scrape',
      license: 'unknown',
    })),
    ...Array.from({ length: 2 }, (_, i) => ({
      text: `old book ${i}`,
      source: 'gutenberg',
      license: 'LicenseRef-Public-Domain',
    })),
    { text: 'wiki article 0', source: 'mirror', license: 'CC-BY-4.0' },
  ];
  const fps = records.map((r) => Buffer.from(sha256Hex(r.text), 'hex'));
  const root = referenceRoot(fps);

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-export-'));
    session = origin(['session', 'start'], { cwd: dir }).stdout.trim();
    const r = origin(['ingest', '--session', session, ...RECORD_FIELDS, '--batch-size', '4'], {
      cwd: dir,
      input: records.map((x) => JSON.stringify(x)).join('\n'),
    });
    expect(r.status).toBe(0);
    expect(origin(['session', 'end', session], { cwd: dir }).status).toBe(0);
  });
  afterAll(() => cleanup());

  const run = (format: string, extra: string[] = [], env: NodeJS.ProcessEnv = EPOCH): CliResult =>
    origin(['export', session.slice(0, 8), '--format', format, ...extra], { cwd: dir, env });
  const exported = (format: string, extra: string[] = []): string => {
    const r = run(format, extra);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  const exportJson = <T = Json>(format: string, extra: string[] = []): T =>
    JSON.parse(exported(format, extra)) as T;

  /** An RFC 3339 time as an SPDX 3 DateTime (UTC, to the second). */
  const spdxTimeOf = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

  /** SHA-256 over the concatenated fingerprints of one source's records, in order. */
  const sourceDigest = (source: string): string =>
    sha256Hex(Buffer.concat(records.flatMap((r, i) => (r.source === source ? [fps[i]] : []))));

  it('json: every figure, every source hash and every batch root', () => {
    const doc = exportJson<{
      format: string;
      format_version: number;
      generated_at: string;
      session: Json;
      sources: {
        source: string;
        license: string;
        records: number;
        bytes: number;
        record_share: number;
        byte_share: number;
        sha256: string;
      }[];
      licenses: { use_category: string; conflicts: { rule: string }[] };
      integrity: { session_root: string; batches: number };
      batches: { seq: number; first_position: number; records: number; root: string }[];
    }>('json');
    expect(doc.format).toBe('origin-provenance');
    expect(doc.format_version).toBe(2);
    expect(doc.generated_at).toBe('2023-11-14T22:13:20.000Z');
    expect(doc.session).toMatchObject({
      session_id: session,
      status: 'completed',
      records: 18,
      distinct_samples: 17,
      duplicates: 1,
      batches: 5,
      session_root: root,
      bytes: records.reduce((n, r) => n + Buffer.byteLength(r.text), 0),
    });
    expect(doc.integrity).toMatchObject({ session_root: root, batches: 5 });
    expect(doc.sources).toHaveLength(6);
    const totalBytes = records.reduce((n, r) => n + Buffer.byteLength(r.text), 0);
    for (const s of doc.sources) {
      const mine = records.filter((r) => r.source === s.source);
      expect(s.records).toBe(mine.length);
      expect(s.bytes).toBe(mine.reduce((n, r) => n + Buffer.byteLength(r.text), 0));
      expect(s.record_share).toBe(mine.length / records.length);
      expect(s.byte_share).toBe(s.bytes / totalBytes);
      expect(s.sha256).toBe(sourceDigest(s.source));
    }
    expect(doc.licenses.use_category).toBe('non-commercial');
    expect(doc.licenses.conflicts.map((c) => c.rule)).toContain('non-commercial-in-commercial-use');
    expect(doc.batches.map((b) => [b.seq, b.first_position, b.records])).toEqual([
      [0, 0, 4],
      [1, 4, 4],
      [2, 8, 4],
      [3, 12, 4],
      [4, 16, 2],
    ]);
    for (const b of doc.batches)
      expect(b.root).toBe(referenceRoot(fps.slice(b.first_position, b.first_position + b.records)));
  });

  it('jsonl: a header, the sources, the batches, then one parsable line per observation', () => {
    const lines = exported('jsonl').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1 + 6 + 5 + records.length);
    const parsed = lines.map((l) => JSON.parse(l) as Json);
    expect(parsed.map((l) => l.type)).toEqual([
      'session',
      ...Array(6).fill('source'),
      ...Array(5).fill('batch'),
      ...Array(records.length).fill('observation'),
    ]);
    expect(parsed[0]).toMatchObject({
      session: { session_id: session, records: 18, distinct_samples: 17 },
      integrity: { session_root: root },
      counts: { sources: 6, batches: 5, observations: 18 },
    });
    const observations = parsed.slice(12);
    observations.forEach((o, i) => {
      expect(o).toEqual({
        type: 'observation',
        position: i,
        batch: Math.floor(i / 4),
        fingerprint: fps[i].toString('hex'),
        size: Buffer.byteLength(records[i].text),
        source: records[i].source,
        license: records[i].license,
      });
    });
  });

  it('jsonl: the same sizes when the session is a small part of the store (point lookups)', () => {
    const before = exported('jsonl');
    const other = Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `other ${i}` }));
    const r = origin(['ingest', '--content-field', 'text', '--license', 'MIT'], {
      cwd: dir,
      input: other.join('\n'),
    });
    expect(r.status).toBe(0);
    expect(exported('jsonl')).toBe(before);
  });

  it('mlflow: string tags, params within 500 characters, the card and the JSON as artifacts', () => {
    const d = exportJson<{
      tags: Record<string, unknown>;
      params: Record<string, unknown>;
      artifacts: Record<string, unknown>;
    }>('mlflow');
    for (const v of [...Object.values(d.tags), ...Object.values(d.params)])
      expect(typeof v).toBe('string');
    for (const v of Object.values(d.params)) expect((v as string).length).toBeLessThanOrEqual(500);
    const conflicts = exportJson<{ licenses: { conflicts: { rule: string }[] } }>('json').licenses
      .conflicts;
    expect(d.tags).toMatchObject({
      'origin.session_id': session,
      'origin.session_root': root,
      'origin.use_category': 'non-commercial',
      'origin.conflicts': String(conflicts.length),
    });
    expect(typeof d.tags['origin.license']).toBe('string');
    expect(d.params).toMatchObject({
      'origin.records': '18',
      'origin.distinct_samples': '17',
      'origin.sources': '6',
    });
    expect(d.artifacts['origin/provenance_card.md']).toContain(
      `# Provenance card — session \`${session}\``,
    );
    expect(d.artifacts['origin/provenance.json']).toMatchObject({
      session: { records: 18 },
      integrity: { session_root: root },
    });
    const research = exportJson<{ tags: Record<string, string> }>('mlflow', [
      '--intended-use',
      'research',
    ]);
    // The non-commercial conflict goes away for research use; the others stay.
    expect(research.tags['origin.conflicts']).toBe(String(conflicts.length - 1));
  });

  it('mlflow: a dataset input entry MLflow takes (digest within 36 characters)', () => {
    const d = exportJson<{
      inputs: {
        dataset: Record<string, string>;
        tags: { key: string; value: string }[];
      }[];
    }>('mlflow');
    expect(d.inputs).toHaveLength(1);
    const { dataset, tags } = d.inputs[0];
    expect(Object.keys(dataset).sort()).toEqual([
      'digest',
      'name',
      'profile',
      'source',
      'source_type',
    ]);
    expect(dataset.digest.length).toBeLessThanOrEqual(36);
    expect(root.startsWith(dataset.digest)).toBe(true);
    expect(JSON.parse(dataset.source)).toMatchObject({ session_id: session, session_root: root });
    expect(JSON.parse(dataset.profile)).toMatchObject({ num_rows: 18 });
    for (const v of Object.values(dataset)) expect(typeof v).toBe('string');
    expect(tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
  });

  it('mlflow and wandb: --prefix gives every key another start, so two sessions fit one run', () => {
    const plain = exportJson<{ tags: Json; params: Json; artifacts: Json }>('mlflow');
    const other = exportJson<{ tags: Json; params: Json; artifacts: Json }>('mlflow', [
      '--prefix',
      'origin.finetune',
    ]);
    const renamed = (keys: string[]) =>
      keys.map((key) => key.replace(/^origin([./])/, 'origin.finetune$1'));
    expect(Object.keys(other.params)).toEqual(renamed(Object.keys(plain.params)));
    expect(Object.keys(other.tags)).toEqual(renamed(Object.keys(plain.tags)));
    expect(Object.keys(other.artifacts)).toEqual([
      'origin.finetune/provenance_card.md',
      'origin.finetune/provenance.json',
    ]);
    // No key of one export is a key of the other: logging both into one run changes nothing.
    for (const key of Object.keys(other.params)) expect(plain.params).not.toHaveProperty([key]);
    const w = exportJson<{ config: Json; metadata: Json }>('wandb', [
      '--prefix',
      'origin.finetune',
    ]);
    expect(Object.keys(w.config)).toEqual(['origin.finetune']);
    for (const key of Object.keys(w.metadata))
      expect(key.startsWith('origin.finetune.')).toBe(true);

    for (const bad of ['', '.x', 'origin.', 'a b', 'x'.repeat(101)]) {
      const r = run('mlflow', ['--prefix', bad]);
      expect({ bad, status: r.status }).toEqual({ bad, status: 2 });
      expect(r.stderr).toContain('--prefix');
      expect(r.stdout).toBe('');
    }
    const r = run('json', ['--prefix', 'origin.finetune']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--prefix applies to mlflow and wandb only');
  });

  it('wandb: a config dict under "origin" and artifact metadata', () => {
    const d = exportJson<{
      config: { origin: Json & { sources: { source: string; sha256: string }[] } };
      metadata: Json;
    }>('wandb');
    expect(d.config.origin).toMatchObject({
      session_id: session,
      session_root: root,
      records: 18,
      distinct_samples: 17,
      use_category: 'non-commercial',
    });
    expect(d.config.origin.sources).toHaveLength(6);
    expect(d.metadata).toMatchObject({
      'origin.session_id': session,
      'origin.session_root': root,
      'origin.records': 18,
    });
  });

  it('hf: YAML front matter with Hub license ids, then the Provenance section', () => {
    const text = exported('hf');
    const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
    expect(m).not.toBeNull();
    const front = parseYaml((m as RegExpExecArray)[1]) as {
      license: string[];
      license_name?: string;
      tags: string[];
    };
    expect(front.license).toEqual(['cc-by-4.0', 'mit', 'cc-by-nc-4.0', 'unknown', 'other']);
    expect(front.license_name).toBe('licenseref-public-domain');
    expect(front.tags).toContain('origin-provenance');
    const body = (m as RegExpExecArray)[2];
    expect(body).toContain('## Provenance');
    expect(body).toContain('| Records | 18 |');
    expect(body).toContain('| Distinct samples | 17 |');
    expect(body).toMatch(
      /\| gutenberg \| `LicenseRef-Public-Domain` \| `LicenseRef-Public-Domain` \| `other` \| 2 \|/,
    );
    expect(body).toContain(`origin verify --session ${session} --root ${root}`);
    const asJson = exportJson<{ card_data: typeof front; content: string }>('hf', ['--json']);
    expect(asJson.card_data).toEqual(front);
    expect(asJson.content).toBe(text);
  });

  it('spdx: SPDX 3.0.1 JSON-LD whose elements and relationships hold together', () => {
    const doc = exportJson<{ '@context': string; '@graph': Json[] }>('spdx');
    expect(doc['@context']).toBe('https://spdx.org/rdf/3.0.1/spdx-context.jsonld');
    // The official SPDX 3.0.1 JSON schema and SHACL shapes, and the profile rules they leave out.
    const validation = validateSpdx(doc);
    expect(validation.schema).toEqual([]);
    expect(validation.shacl.results).toEqual([]);
    expect(validation.shacl.conforms).toBe(true);
    expect(validation.triples).toBeGreaterThan(1000);
    expect(profileViolations(doc)).toEqual([]);
    const graph = doc['@graph'];
    const creation = graph.find((e) => e.type === 'CreationInfo') as Json;
    expect(creation).toMatchObject({
      '@id': '_:creationinfo',
      specVersion: '3.0.1',
      created: '2023-11-14T22:13:20Z',
    });
    const elements = graph.filter((e) => e.type !== 'CreationInfo');
    const ids = new Set(elements.map((e) => e.spdxId as string));
    expect(ids.size).toBe(elements.length);
    for (const e of elements) {
      expect(typeof e.type).toBe('string');
      expect(typeof e.spdxId).toBe('string');
      expect(e.creationInfo).toBe('_:creationinfo');
    }
    for (const agent of [
      ...(creation.createdBy as string[]),
      ...(creation.createdUsing as string[]),
    ])
      expect(ids.has(agent)).toBe(true);

    const relationships = elements.filter((e) => e.type === 'Relationship');
    for (const r of relationships) {
      expect(ids.has(r.from as string)).toBe(true);
      expect(Array.isArray(r.to)).toBe(true);
      for (const to of r.to as string[])
        expect(ids.has(to) || SPDX_LICENSE_INDIVIDUALS.includes(to)).toBe(true);
    }
    // Every reference anywhere in the graph names an element of the graph or an SPDX individual.
    const references: string[] = [];
    for (const node of graph)
      for (const key of SPDX_REFERENCE_PROPERTIES)
        if (key in node) references.push(...[node[key]].flat().map((v) => v as string));
    expect(references.length).toBeGreaterThan(0);
    for (const ref of references)
      expect({ ref, known: ids.has(ref) || SPDX_LICENSE_INDIVIDUALS.includes(ref) }).toEqual({
        ref,
        known: true,
      });
    const document = elements.find((e) => e.type === 'SpdxDocument') as Json;
    expect(new Set(document.element as string[])).toEqual(
      new Set([...ids].filter((id) => id !== document.spdxId)),
    );

    const datasets = elements.filter((e) => e.type === 'dataset_DatasetPackage');
    expect(datasets).toHaveLength(7); // 6 source/license pairs + the session
    const ended = spdxTimeOf(
      exportJson<{ session: { ended_at: string } }>('json').session.ended_at,
    );
    for (const d of datasets) {
      expect(typeof d.name).toBe('string');
      expect(d.software_primaryPurpose).toBe('data');
      expect((d.dataset_datasetType as string[]).length).toBeGreaterThan(0);
      for (const t of d.dataset_datasetType as string[]) expect(SPDX_DATASET_TYPES).toContain(t);
      // Required by SPDX 3.0.1 on a DatasetPackage: one value each, a single one in this export.
      for (const key of ['builtTime', 'releaseTime', 'software_downloadLocation'])
        expect(typeof d[key]).toBe('string');
      expect(d.builtTime).toMatch(SPDX_DATE_TIME);
      expect(d.releaseTime).toMatch(SPDX_DATE_TIME);
      // The session has ended: the slice was fixed then, and the comment says so.
      expect(d.builtTime).toBe(ended);
      expect(d.releaseTime).toBe(ended);
      expect(d.comment).toContain(`when the session ended (completed), ${ended}`);
      const location = d.software_downloadLocation as string;
      if (location !== 'NOASSERTION') expect(new URL(location).href).toBe(location);
      expect(Array.isArray(d.originatedBy)).toBe(true);
      expect(d.originatedBy).toHaveLength(1);
      const agent = elements.find((e) => e.spdxId === (d.originatedBy as string[])[0]) as Json;
      expect(agent.type).toBe('Agent');
      expect(typeof agent.name).toBe('string');
      // Neither the session root nor a per-source digest is a SHA-256 of the package's bytes.
      const hash = (d.verifiedUsing as Json[])[0];
      expect(hash).toMatchObject({ type: 'Hash', algorithm: 'other' });
      expect(hash.comment).toMatch(/^Not a SHA-256 of the package/);
      expect(hash.hashValue).toMatch(/^[0-9a-f]{64}$/);
      for (const kind of ['hasDeclaredLicense', 'hasConcludedLicense'])
        expect(
          relationships.filter((r) => r.from === d.spdxId && r.relationshipType === kind),
        ).toHaveLength(1);
    }
    const whole = datasets.find((d) => (d.verifiedUsing as Json[])[0].hashValue === root) as Json;
    expect(whole).toBeDefined();
    const contains = relationships.find(
      (r) => r.from === whole.spdxId && r.relationshipType === 'contains',
    ) as Json;
    expect((contains.to as string[]).sort()).toEqual(
      datasets
        .filter((d) => d !== whole)
        .map((d) => d.spdxId as string)
        .sort(),
    );
    const wiki = datasets.find((d) => d.name === 'wikipedia') as Json;
    expect((wiki.verifiedUsing as Json[])[0].hashValue).toBe(sourceDigest('wikipedia'));
    // No recorded source name here is a URL: no download location is claimed for any of them.
    for (const d of datasets) expect(d.software_downloadLocation).toBe('NOASSERTION');
    // One Agent per recorded source, named after it; the session's is its unnamed operator.
    const agentOf = (d: Json) => elements.find((e) => e.spdxId === (d.originatedBy as string[])[0]);
    expect(agentOf(wiki)?.name).toBe('wikipedia');
    const mirror = datasets.find((d) => d.name === 'mirror') as Json;
    expect(agentOf(mirror)?.name).toBe('mirror');
    expect(agentOf(whole)?.name).toBe(`operator of Origin session ${session}`);
    expect(elements.filter((e) => e.type === 'Agent')).toHaveLength(7); // 6 sources + operator
    const expressions = elements
      .filter((e) => e.type === 'simplelicensing_LicenseExpression')
      .map((e) => e.simplelicensing_licenseExpression);
    expect(expressions).toEqual(
      expect.arrayContaining(['CC-BY-4.0', 'MIT', 'CC-BY-NC-4.0', 'LicenseRef-Public-Domain']),
    );
    expect(document.rootElement).toEqual([whole.spdxId]);
  });

  describe('cyclonedx', () => {
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

    it('validates against the CycloneDX 1.6 schema, with licenses and hashes per source', async () => {
      const text = exported('cyclonedx');
      expect(await validator.validate(text)).toBeNull();
      const bom = JSON.parse(text) as {
        serialNumber: string;
        metadata: {
          timestamp: string;
          component: { hashes?: unknown; properties: { name: string; value: string }[] };
        };
        components: {
          name: string;
          licenses: Json[];
          hashes?: unknown;
          properties: { name: string; value: string }[];
        }[];
      };
      expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab]/);
      expect(bom.metadata.timestamp).toBe('2023-11-14T22:13:20.000Z');
      // The session root is no hash of the data's bytes: a property, never a `hashes` entry.
      expect(bom.metadata.component.hashes).toBeUndefined();
      expect(bom.metadata.component.properties).toContainEqual({
        name: 'origin:session_root',
        value: root,
      });
      const by = (name: string) => bom.components.find((c) => c.name === name);
      expect(by('wikipedia')?.licenses).toEqual([
        { license: { id: 'CC-BY-4.0', acknowledgement: 'declared' } },
      ]);
      expect(by('gutenberg')?.licenses).toEqual([
        { license: { name: 'LicenseRef-Public-Domain', acknowledgement: 'declared' } },
      ]);
      expect(by('forum scrape')?.licenses).toEqual([
        { license: { name: 'unknown', acknowledgement: 'declared' } },
      ]);
      expect(by('news')?.hashes).toBeUndefined();
      expect(by('news')?.properties).toContainEqual({
        name: 'origin:fingerprints_sha256',
        value: sourceDigest('news'),
      });
      // Another generation time is another BOM: another serial number.
      const later = run('cyclonedx', [], { SOURCE_DATE_EPOCH: '1700000001' });
      expect(JSON.parse(later.stdout).serialNumber).not.toBe(bom.serialNumber);
    });

    it('the validator rejects a broken BOM (the schema check can fail)', async () => {
      const bom = JSON.parse(exported('cyclonedx')) as {
        components: { type: string; hashes?: { alg: string; content: string }[] }[];
      };
      bom.components[0].type = 'dataset';
      bom.components[1].hashes = [{ alg: 'SHA-257', content: 'ab' }];
      const errors = await validator.validate(JSON.stringify(bom));
      expect(errors).not.toBeNull();
    });
  });

  it('eu-ai-act: the template sections, the size band, and what the provider must complete', () => {
    const md = exported('eu-ai-act');
    // The template's headings, in its order and with its numbers.
    const headings = md.split('\n').filter((l) => /^#{2,4} \d/.test(l));
    expect(headings).toEqual([
      '## 1. General information',
      '### 1.1. Provider identification',
      '### 1.2. Model identification',
      '### 1.3. Modalities, overall training data size and other characteristics',
      '## 2. List of data sources',
      '### 2.1. Publicly available datasets',
      '### 2.2. Private non-publicly available datasets obtained from third parties',
      '#### 2.2.1. Datasets commercially licensed by rightsholders or their representatives',
      '#### 2.2.2. Private datasets obtained from other third parties',
      '### 2.3. Data crawled and scraped from online sources',
      '### 2.4. User data',
      '### 2.5. Synthetic data',
      '### 2.6. Other sources of data',
      '## 3. Data processing aspects',
      '### 3.1. Respect of reservation of rights from text and data mining exception or limitation',
      '### 3.2. Removal of illegal content',
      '### 3.3. Other information (optional)',
    ]);
    for (const field of [
      'Provider name and contact details:',
      'Authorised representative name and contact details:',
      'Versioned model name(s):',
      'Model dependencies:',
      'Date of placement of the model on the Union market:',
      'Latest date of data acquisition/collection for model training (MM/YYYY):',
      'Description of the linguistic characteristics of the overall training data:',
      'Other relevant characteristics of the overall training data:',
      '| Modality | In the training data | Training data size | Types of content |',
    ])
      expect(md).toContain(field);
    expect(md.split('⟨to be completed by the provider⟩').length - 1).toBeGreaterThan(15);
    expect(md).toContain('**Less than 1 billion tokens**');
    expect(md).toContain('- Version of the summary: ⟨to be completed by the provider⟩');
    expect(md).toContain('- Date of last update: ⟨to be completed by the provider⟩');
    expect(md).not.toContain('☐ Image');
    expect(md).toContain(
      '| Image | ⟨to be completed by the provider⟩ | ⟨to be completed by the provider⟩ | ⟨to be completed by the provider⟩ |',
    );
    // 2.1–2.6 ask the template's Yes/No questions and fields.
    for (const q of [
      'Have you used publicly available datasets to train the model? ☐ Yes ☐ No',
      'Have you concluded transactional commercial licensing agreement(s)',
      'Were crawlers used by the provider or on its behalf? ☐ Yes ☐ No',
      '- Crawler name(s)/identifier(s): ⟨to be completed by the provider⟩',
      '- Purposes of the crawler(s):',
      '- General description of crawler behaviour',
      '- Period of data collection (from MM/YYYY to MM/YYYY):',
      '- Summary of the most relevant domain names crawled',
      'Was data from user interactions with the AI model',
      'Was synthetic AI-generated data created by the provider',
      'Have data sources other than those in sections 2.1 to 2.5 been used',
      'Are you a signatory to the General-Purpose AI Code of Practice',
    ])
      expect(md).toContain(q);
    expect(md).toContain('content bytes / 4');
    expect(md).toMatch(
      /\| wikipedia \| `CC-BY-4.0` \| 6 \| 33\.3% \| \d+ \| \d+\.\d% \| ⟨to be completed by the provider⟩ \|/,
    );
    expect(md).toContain(`origin verify --session ${session} --root ${root}`);

    const j = exportJson<{
      general_information: { provider: { name: null }; modalities: { text: Json } };
      header: { summary_version: null; last_update: null };
      data_sources: {
        sources: { name: string; category: null }[];
        sections: Record<string, Record<string, unknown>>;
      };
      data_processing: { recorded_by_origin: { deduplication: Json; session_root: string } };
      to_complete: string[];
    }>('eu-ai-act', ['--json']);
    expect(j.general_information.provider.name).toBeNull();
    expect(j.general_information.modalities.text).toMatchObject({
      size_band: 'Less than 1 billion tokens',
      records: 18,
    });
    expect(j.data_sources.sources).toHaveLength(6);
    expect(j.data_sources.sources.every((s) => s.category === null)).toBe(true);
    expect(j.header).toEqual({ summary_version: null, last_update: null });
    // Origin cannot know whether the model saw images, audio or video: to complete, not "absent".
    for (const m of ['image', 'audio', 'video', 'other'])
      expect((j.general_information.modalities as unknown as Record<string, Json>)[m]).toEqual({
        present: null,
        size_band: null,
        types_of_content: null,
      });
    expect(j.data_sources.sections.data_crawled_and_scraped).toMatchObject({
      crawlers_used: null,
      crawler_names: null,
      collection_period: { from: null, to: null },
      top_domains: null,
      recorded_url_domains: [], // no source name here is a URL
    });
    // 2.1's "large" threshold is 3% (here of this session's content bytes, per source name).
    const bytesBy = new Map<string, number>();
    for (const r of records)
      bytesBy.set(r.source, (bytesBy.get(r.source) ?? 0) + Buffer.byteLength(r.text));
    const total = [...bytesBy.values()].reduce((a, b) => a + b, 0);
    expect(
      [
        ...(j.data_sources.sections.publicly_available_datasets
          .recorded_sources_above_3_percent as string[]),
      ].sort(),
    ).toEqual(
      [...bytesBy]
        .filter(([, b]) => b / total > 0.03)
        .map(([name]) => name)
        .sort(),
    );
    expect(Object.keys(j.data_sources.sections)).toEqual([
      'publicly_available_datasets',
      'commercially_licensed_datasets',
      'private_datasets_from_other_third_parties',
      'data_crawled_and_scraped',
      'user_data',
      'synthetic_data',
      'other_sources',
    ]);
    expect(j.data_processing.recorded_by_origin.deduplication).toMatchObject({
      records: 18,
      distinct_samples: 17,
      duplicates: 1,
    });
    expect(j.data_processing.recorded_by_origin.session_root).toBe(root);
    expect(j.to_complete).toEqual(
      expect.arrayContaining([
        'general_information.provider.name',
        'data_sources.sources[0].category',
        'data_processing.reservation_of_rights',
        'data_processing.code_of_practice_signatory',
        'header.summary_version',
        'data_sources.sections.data_crawled_and_scraped.crawler_names',
        'data_sources.sections.user_data.from_model_interactions',
        'data_processing.removal_of_illegal_content',
      ]),
    );
  });

  it('-o writes the file atomically and says so; --json says so in JSON', () => {
    for (const format of ['json', 'jsonl', 'hf']) {
      const file = `out.${format}`;
      const r = run(format, ['-o', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`Wrote ${file} (${format})\n`);
      expect(readFileSync(join(dir, file), 'utf8')).toBe(exported(format));
    }
    const r = run('spdx', ['-o', 'out.spdx.json', '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { output: string; bytes: number; session_id: string };
    expect(summary).toMatchObject({ output: 'out.spdx.json', session_id: session, format: 'spdx' });
    expect(summary.bytes).toBe(readFileSync(join(dir, 'out.spdx.json')).length);
  });

  it('is byte-identical run to run under SOURCE_DATE_EPOCH, for every format', () => {
    for (const format of FORMATS) expect(exported(format)).toBe(exported(format));
  });

  it('refuses an unknown format or session with exit 2', () => {
    const r = run('xml');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(origin(['export', 'ffffffffff', '--format', 'json'], { cwd: dir }).status).toBe(2);
    expect(origin(['export', session], { cwd: dir }).status).toBe(2);
  });
});
