import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';
import { renderGfm } from '../helpers/markdown';
import { profileViolations, validateSpdx } from '../helpers/spdx';

/** The Hub's license ids, from its list (vendored). */
const HUB_IDS = [
  ...readFileSync(join(__dirname, '../fixtures/hf/hub-licenses.md'), 'utf8').matchAll(
    /^\|[^|]*\| `([^`]+)` +\|/gm,
  ),
].map((m) => m[1]);

interface CardData {
  license: string | string[];
  license_name?: string;
  license_link?: string;
}

const frontMatter = (card: string): { data: CardData; body: string } => {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(card) as RegExpExecArray;
  return { data: parseYaml(m[1]) as CardData, body: m[2] };
};

type Json = Record<string, unknown>;

/** Licenses as recorded, chosen to exercise declared vs concluded and LicenseRefs. */
const RECORDS = [
  { text: 'a page', source: 'https://example.org/corpus.jsonl', license: 'Apache 2' },
  { text: 'a font', source: 'fonts', license: 'OFL-1.1' },
  { text: 'a class', source: 'jdk', license: 'GPL-2.0-only WITH Classpath-exception-2.0' },
  { text: 'a book', source: 'gutenberg', license: 'LicenseRef-Public-Domain' },
  { text: 'a post', source: 'forum', license: 'unknown' },
];

describe('export: declared and concluded licenses, LicenseRefs, digests and URLs', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;

  const cli = (args: string[]): string => {
    const r = origin(args, { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-export-licenses-'));
    session = cli(['session', 'start']).trim();
    const r = origin(['ingest', '--session', session, ...RECORD_FIELDS], {
      cwd: dir,
      input: RECORDS.map((x) => JSON.stringify(x)).join('\n'),
    });
    expect(r.status).toBe(0);
    cli(['session', 'end', session]);
  });
  afterAll(() => cleanup());

  describe('spdx', () => {
    let graph: Json[];
    let doc: { '@graph': Json[] };
    const byId = (id: string) => graph.find((e) => e.spdxId === id) as Json;
    const license = (source: string, kind: string): Json => {
      const pkg = graph.find(
        (e) => e.type === 'dataset_DatasetPackage' && e.name === source,
      ) as Json;
      const rel = graph.find(
        (e) => e.type === 'Relationship' && e.from === pkg.spdxId && e.relationshipType === kind,
      ) as Json;
      const to = (rel.to as string[])[0];
      return byId(to) ?? { spdxId: to };
    };
    beforeAll(() => {
      doc = JSON.parse(cli(['export', session, '--format', 'spdx'])) as typeof doc;
      graph = doc['@graph'];
    });

    it('validates against the SPDX 3.0.1 schema, SHACL shapes and profile rules', () => {
      const v = validateSpdx(doc);
      expect(v.schema).toEqual([]);
      expect(v.shacl.results).toEqual([]);
      expect(profileViolations(doc)).toEqual([]);
      const document = graph.find((e) => e.type === 'SpdxDocument') as Json;
      expect(document.profileConformance).toEqual(
        expect.arrayContaining(['simpleLicensing', 'expandedLicensing', 'dataset']),
      );
    });

    it('declares what was recorded and concludes what Origin read', () => {
      const declared = license('https://example.org/corpus.jsonl', 'hasDeclaredLicense');
      const concluded = license('https://example.org/corpus.jsonl', 'hasConcludedLicense');
      expect(declared.simplelicensing_licenseExpression).toMatch(
        /^LicenseRef-Apache-2-[0-9a-f]{8}$/,
      );
      expect(concluded.simplelicensing_licenseExpression).toBe('Apache-2.0');
      // A valid expression is declared and concluded as it is, its exception kept.
      for (const kind of ['hasDeclaredLicense', 'hasConcludedLicense'])
        expect(license('jdk', kind).simplelicensing_licenseExpression).toBe(
          'GPL-2.0-only WITH Classpath-exception-2.0',
        );
      // No license stated: NoAssertion both ways, not a LicenseRef made of "unknown".
      expect(license('forum', 'hasDeclaredLicense').spdxId).toBe(
        'expandedlicensing_NoAssertionLicense',
      );
    });

    it('maps every LicenseRef to a SimpleLicensingText with customIdToUri', () => {
      const expressions = graph.filter((e) => e.type === 'simplelicensing_LicenseExpression');
      let refs = 0;
      for (const e of expressions) {
        const ids =
          (e.simplelicensing_licenseExpression as string).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [];
        const map = (e.simplelicensing_customIdToUri ?? []) as { key: string; value: string }[];
        expect(map.map((m) => m.key).sort()).toEqual([...new Set(ids)].sort());
        for (const m of map) {
          refs++;
          const text = byId(m.value);
          expect(text.type).toBe('simplelicensing_SimpleLicensingText');
          expect(typeof text.simplelicensing_licenseText).toBe('string');
        }
      }
      expect(refs).toBe(2); // LicenseRef-Public-Domain and the ref made of "Apache 2"
      const apache = license('https://example.org/corpus.jsonl', 'hasDeclaredLicense');
      const text = byId(
        (apache.simplelicensing_customIdToUri as { value: string }[])[0].value,
      ).simplelicensing_licenseText;
      expect(text).toContain('"Apache 2"');
    });

    it('labels no Merkle root or digest list as a sha256 of a package', () => {
      const hashes = graph.flatMap((e) => (e.verifiedUsing ?? []) as Json[]);
      // One per source, and the session's root and head.
      expect(hashes.length).toBe(RECORDS.length + 2);
      for (const h of hashes) expect(h.algorithm).toBe('other');
    });
  });

  describe('cyclonedx', () => {
    let bom: { components: Json[]; metadata: { component: Json } };
    const component = (name: string) => bom.components.find((c) => c.name === name) as Json;
    beforeAll(() => {
      const text = cli(['export', session, '--format', 'cyclonedx']);
      bom = JSON.parse(text) as typeof bom;
    });

    it('validates against CycloneDX 1.6', async () => {
      const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
      expect(await validator.validate(JSON.stringify(bom))).toBeNull();
    });

    it('declares what was recorded and concludes what Origin read', () => {
      expect(component('https://example.org/corpus.jsonl').licenses).toEqual([
        { license: { name: 'Apache 2', acknowledgement: 'declared' } },
        { license: { id: 'Apache-2.0', acknowledgement: 'concluded' } },
      ]);
      expect(component('jdk').licenses).toEqual([
        { expression: 'GPL-2.0-only WITH Classpath-exception-2.0', acknowledgement: 'declared' },
      ]);
      expect(component('fonts').licenses).toEqual([
        { license: { id: 'OFL-1.1', acknowledgement: 'declared' } },
      ]);
    });

    it('gives a URL source an external reference, and no component a Merkle root as hash', () => {
      expect(component('https://example.org/corpus.jsonl').externalReferences).toEqual([
        expect.objectContaining({ type: 'distribution', url: 'https://example.org/corpus.jsonl' }),
      ]);
      expect(component('fonts').externalReferences).toBeUndefined();
      for (const c of [...bom.components, bom.metadata.component]) expect(c.hashes).toBeUndefined();
    });
  });

  describe('hf', () => {
    it('uses Hub ids only, keeps exceptions, and names the licenses without one', () => {
      const { data, body } = frontMatter(cli(['export', session, '--format', 'hf']));
      expect([data.license].flat().sort()).toEqual(['apache-2.0', 'ofl-1.1', 'other', 'unknown']);
      for (const id of [data.license].flat()) expect(HUB_IDS).toContain(id);
      // Two licenses without a Hub id: one short name, and a link to the section naming both.
      expect(data.license_name).toBe('several-licenses');
      expect(data.license_link).toBe('#licenses-without-a-hub-id');
      const html = renderGfm(body);
      expect(html).toContain('<h3>Licenses without a Hub id</h3>');
      expect(html).toContain('<code>gpl-2.0-only-with-classpath-exception-2.0</code>');
      expect(html).toContain('<code>GPL-2.0-only WITH Classpath-exception-2.0</code>');
      // SPDX columns hold SPDX expressions only: no raw strings, no summary words.
      const spdxCells = [...body.matchAll(/^\| [^|]+ \| `([^`]+)` \|/gm)].map((m) => m[1]);
      expect(spdxCells).toEqual(
        expect.arrayContaining([
          'Apache-2.0',
          'OFL-1.1',
          'LicenseRef-Public-Domain',
          'NOASSERTION',
        ]),
      );
      expect(spdxCells).not.toContain('Apache 2');
      expect(body).toMatch(/\| Resulting license \(SPDX\) \| `NOASSERTION` \|/);
      expect(body).not.toContain('`mixed`');
    });

    it('keeps license_name short however many licenses have no Hub id', () => {
      const many = cli(['session', 'start']).trim();
      const r = origin(['ingest', '--session', many, ...RECORD_FIELDS], {
        cwd: dir,
        input: Array.from({ length: 400 }, (_, i) =>
          JSON.stringify({ text: `t${i}`, source: `s${i}`, license: `LicenseRef-Custom-${i}` }),
        ).join('\n'),
      });
      expect(r.status).toBe(0);
      const { data, body } = frontMatter(cli(['export', many, '--format', 'hf']));
      expect(data).toMatchObject({
        license: 'other',
        license_name: 'several-licenses',
        license_link: '#licenses-without-a-hub-id',
      });
      expect(body).toContain('`LicenseRef-Custom-399`');
      // One license without a Hub id: its own name and link.
      const one = cli(['session', 'start']).trim();
      expect(
        origin(['ingest', '--session', one, ...RECORD_FIELDS], {
          cwd: dir,
          input: JSON.stringify({ text: 'x', source: 's', license: 'CC-BY-ND-3.0' }),
        }).status,
      ).toBe(0);
      expect(frontMatter(cli(['export', one, '--format', 'hf'])).data).toEqual({
        license: 'other',
        license_name: 'cc-by-nd-3.0',
        license_link: 'https://spdx.org/licenses/CC-BY-ND-3.0.html',
        tags: ['origin-provenance'],
      });
    });
  });

  it('eu-ai-act: the domains of URL sources are filled in under 2.3, by content bytes', () => {
    const j = JSON.parse(cli(['export', session, '--format', 'eu-ai-act', '--json'])) as {
      data_sources: { sections: { data_crawled_and_scraped: Json } };
    };
    expect(j.data_sources.sections.data_crawled_and_scraped.recorded_url_domains).toEqual([
      { domain: 'example.org', content_bytes: 6, byte_share: 6 / 31 },
    ]);
    const md = cli(['export', session, '--format', 'eu-ai-act']);
    expect(md).toContain('| example\\.org | 6 | 19.4% |');
  });
});
