import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportContext } from '../../../src/core/reports/export/context';
import { uuidV5 } from '../../../src/core/reports/export/cyclonedx';
import {
  CATEGORY_SECTIONS,
  SOURCE_CATEGORIES,
  TEXT_SIZE_BANDS,
  textSizeBand,
} from '../../../src/core/reports/export/eu-ai-act';
import {
  HF_LICENSE_IDS,
  conjunction,
  hubLicense,
  readLicense,
} from '../../../src/core/reports/export/licenses';
import { fitList, fitValue } from '../../../src/core/reports/export/mlflow';
import {
  SPDX_NO_ASSERTION_LOCATION,
  sourceDownloadLocation,
  spdxDocument,
  spdxTime,
} from '../../../src/core/reports/export/spdx';
import { loadTaxonomy } from '../../../src/core/licenses';

const taxonomy = loadTaxonomy();

describe('export helpers', () => {
  it('UUID v5 matches RFC 4122 / Python uuid5', () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
    // uuid.uuid5(uuid.NAMESPACE_URL, 'urn:origin:test')
    expect(uuidV5('urn:origin:test')).toBe('74d2bcf4-d882-574a-8372-8a43a67312ea');
  });

  it('maps licenses to Hugging Face Hub ids through the taxonomy', () => {
    const hub = (id: string) => hubLicense(taxonomy, id).hub;
    expect(hub('CC-BY-4.0')).toBe('cc-by-4.0');
    expect(hub('MIT')).toBe('mit');
    expect(hub('Apache-2.0')).toBe('apache-2.0');
    expect(hub('GPL-3.0-only')).toBe('gpl-3.0');
    expect(hub('LGPL-2.1-only')).toBe('lgpl-2.1');
    expect(hub('ODbL-1.0')).toBe('odbl');
    expect(hub('LicenseRef-OpenRAIL-PlusPlus')).toBe('openrail++');
    expect(hub('LicenseRef-Llama-3.1')).toBe('llama3.1');
    expect(hub('NOASSERTION')).toBe('unknown');
    // Licenses the Hub added to its list, which used to go in as `other`.
    for (const [spdx, id] of [
      ['Zlib', 'zlib'],
      ['OFL-1.1', 'ofl-1.1'],
      ['PostgreSQL', 'postgresql'],
      ['OSL-3.0', 'osl-3.0'],
      ['NCSA', 'ncsa'],
      ['Unlicense', 'unlicense'],
      ['PDDL-1.0', 'pddl'],
      ['ODC-By-1.0', 'odc-by'],
    ])
      expect([spdx, hub(spdx)]).toEqual([spdx, id]);
    // The Hub has no exceptions: a license WITH one is `other`, its exception in the name.
    expect(hubLicense(taxonomy, 'GPL-2.0-only', 'Classpath-exception-2.0')).toMatchObject({
      spdx: 'GPL-2.0-only WITH Classpath-exception-2.0',
      hub: 'other',
      name: 'gpl-2.0-only-with-classpath-exception-2.0',
    });
    expect(hubLicense(taxonomy, 'CC-BY-ND-3.0')).toEqual({
      spdx: 'CC-BY-ND-3.0',
      hub: 'other',
      name: 'cc-by-nd-3.0',
      link: 'https://spdx.org/licenses/CC-BY-ND-3.0.html',
    });
    expect(hubLicense(taxonomy, 'LicenseRef-Public-Domain')).toEqual({
      spdx: 'LicenseRef-Public-Domain',
      hub: 'other',
      name: 'licenseref-public-domain',
    });
  });

  it("knows exactly the Hub's license ids (its list, vendored as a fixture)", () => {
    const list = readFileSync(join(__dirname, '../../fixtures/hf/hub-licenses.md'), 'utf8');
    const ids = [...list.matchAll(/^\|[^|]*\| `([^`]+)` +\|/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(80);
    expect([...HF_LICENSE_IDS]).toEqual(ids);
  });

  it('reads recorded licenses and conjoins them', () => {
    const unknown = readLicense(taxonomy, 'unknown');
    expect(unknown).toMatchObject({ expression: 'NOASSERTION', known: false });
    const either = readLicense(taxonomy, 'MIT OR Apache-2.0');
    expect(either).toMatchObject({ single: false, known: true });
    expect(either.ids).toEqual(['MIT', 'Apache-2.0']);
    const mit = readLicense(taxonomy, 'MIT');
    expect(mit).toMatchObject({ single: true, ids: ['MIT'] });
    expect(conjunction([mit, either, mit])).toBe('MIT AND (MIT OR Apache-2.0)');
    expect(conjunction([mit])).toBe('MIT');
    expect(conjunction([mit, unknown])).toBe('NOASSERTION');
  });

  it('keeps MLflow values within their limits and says what it left out', () => {
    const items = Array.from({ length: 100 }, (_, i) => `source-number-${i}`);
    const fitted = fitList(items, 500);
    expect(fitted.length).toBeLessThanOrEqual(500);
    expect(fitted).toMatch(/… \(\+\d+ more; see origin\/provenance\.json\)$/);
    expect(fitList(['a', 'b'], 500)).toBe('a, b');
    expect(fitValue('x'.repeat(600), 500)).toHaveLength(500);
  });

  it('puts token estimates in the template size bands', () => {
    expect(textSizeBand(0)).toBe(TEXT_SIZE_BANDS[0]);
    expect(textSizeBand(999_999_999)).toBe(TEXT_SIZE_BANDS[0]);
    expect(textSizeBand(1e9)).toBe(TEXT_SIZE_BANDS[1]);
    expect(textSizeBand(1e13)).toBe(TEXT_SIZE_BANDS[1]);
    expect(textSizeBand(1e13 + 1)).toBe(TEXT_SIZE_BANDS[2]);
  });

  it('keeps the template size bands and the template source categories', () => {
    expect(TEXT_SIZE_BANDS).toEqual([
      'Less than 1 billion tokens',
      '1 billion to 10 trillion tokens',
      'More than 10 trillion tokens',
    ]);
    expect(CATEGORY_SECTIONS.map(([num]) => num)).toEqual([
      '2.1',
      '2.2.1',
      '2.2.2',
      '2.3',
      '2.4',
      '2.5',
      '2.6',
    ]);
    expect(SOURCE_CATEGORIES).toContain('2.3. Data crawled and scraped from online sources');
  });

  it('writes SPDX times in UTC to the second', () => {
    expect(spdxTime('2026-11-21T10:38:20.906Z')).toBe('2026-11-21T10:38:20Z');
  });

  it('takes an SPDX download location only from a source name that is a download URL', () => {
    const loc = sourceDownloadLocation;
    expect(loc('https://huggingface.co/datasets/wikimedia/wikipedia')).toBe(
      'https://huggingface.co/datasets/wikimedia/wikipedia',
    );
    expect(loc('hf://datasets/allenai/c4')).toBe('hf://datasets/allenai/c4');
    expect(loc('s3://bucket/shard-00.jsonl')).toBe('s3://bucket/shard-00.jsonl');
    expect(loc('HTTPS://Example.COM/a b')).toBe('https://example.com/a%20b');
    for (const notOne of [
      'wikipedia',
      'forum scrape',
      'github-code',
      'C:\\data\\train.jsonl',
      '/data/train.jsonl',
      'file:///data/train.jsonl',
      'mailto:someone@example.com',
      'javascript:alert(1)',
      'https://user:secret@example.com/data',
      'https://token@example.com/data',
      'hf:datasets/allenai/c4',
    ])
      expect(loc(notOne)).toBeNull();
  });

  describe('SPDX for a session that has not ended', () => {
    const sid = '0123456789abcdef0123456789abcdef';
    const ctx = (batches: { created_at: string }[]): ExportContext =>
      ({
        taxonomy,
        licenses: new Map(),
        batches,
        provenance: {
          generator: { name: 'origin', version: '9.9.9' },
          generated_at: '2026-01-02T03:04:05.678Z',
          session: {
            session_id: sid,
            status: 'open',
            started_at: '2026-01-01T00:00:00.000Z',
            ended_at: null,
            records: 2,
            distinct_samples: 2,
            bytes: 10,
          },
          sources: [
            {
              source: 'https://example.org/corpus.jsonl',
              license: 'MIT',
              records: 2,
              bytes: 10,
              record_share: 1,
              byte_share: 1,
              sha256: 'a'.repeat(64),
            },
          ],
          integrity: { session_root: 'b'.repeat(64) },
          lineage: [],
        },
      }) as unknown as ExportContext;
    const packages = (c: ExportContext) =>
      spdxDocument(c)['@graph'].filter((e) => e.type === 'dataset_DatasetPackage');

    it('dates the packages by the last batch, and says so', () => {
      const ps = packages(ctx([{ created_at: '2026-01-01T12:00:00.250Z' }]));
      expect(ps).toHaveLength(2);
      for (const p of ps) {
        expect(p.builtTime).toBe('2026-01-01T12:00:00Z');
        expect(p.releaseTime).toBe('2026-01-01T12:00:00Z');
        expect(p.comment).toContain('the time its last batch was recorded');
      }
      const source = ps.find((p) => p.name === 'https://example.org/corpus.jsonl');
      expect(source?.software_downloadLocation).toBe('https://example.org/corpus.jsonl');
      const whole = ps.find((p) => p !== source);
      expect(whole?.software_downloadLocation).toBe(SPDX_NO_ASSERTION_LOCATION);
    });

    it('dates them by the session start when no batch was recorded, and says so', () => {
      for (const p of packages(ctx([]))) {
        expect(p.builtTime).toBe('2026-01-01T00:00:00Z');
        expect(p.releaseTime).toBe('2026-01-01T00:00:00Z');
        expect(p.comment).toContain('recorded no batch, so its start');
      }
    });
  });
});
