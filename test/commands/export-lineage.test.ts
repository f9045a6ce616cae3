import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';
import { profileViolations, validateSpdx } from '../helpers/spdx';

type Json = Record<string, unknown>;
type Graph = { '@graph': Json[] };

describe('exports with model lineage', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;
  let dataset: string;
  let heldout: string;
  let run: string;
  let evalOnSession: string;
  let evalHeldout: string;

  const cli = (args: string[]): string => {
    const r = origin(args, { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-export-lineage-'));
    session = cli(['session', 'start']).trim();
    const records = [
      { text: 'a page', source: 'https://example.org/corpus.jsonl', license: 'CC-BY-4.0' },
      { text: 'some code', source: 'github-code', license: 'MIT' },
      { text: 'more code', source: 'github-code', license: 'MIT' },
    ];
    const r = origin(['ingest', '--session', session, ...RECORD_FIELDS], {
      cwd: dir,
      input: records.map((x) => JSON.stringify(x)).join('\n'),
    });
    expect(r.status).toBe(0);
    cli(['session', 'end', session]);
    dataset = cli([
      'lineage',
      'record',
      'dataset',
      '--session',
      session,
      '--name',
      'corpus',
    ]).trim();
    heldout = cli([
      'lineage',
      'record',
      'dataset',
      '--name',
      'held-out',
      '--checksum',
      'c'.repeat(64),
      '--timestamp',
      '2001-01-01T00:00:00Z',
    ]).trim();
    run = cli([
      'lineage',
      'record',
      'training',
      '--parent',
      dataset,
      '--model',
      'lineage-lm',
      '--model-version',
      '1.2',
      '--run-id',
      'run-9',
      '--param',
      'lr=3e-5',
    ]).trim();
    evalOnSession = cli([
      'lineage',
      'record',
      'evaluation',
      '--parent',
      run,
      '--dataset',
      dataset,
      '--split',
      'train',
      '--metric',
      'loss=0.25',
    ]).trim();
    evalHeldout = cli([
      'lineage',
      'record',
      'evaluation',
      '--parent',
      run,
      '--dataset',
      heldout,
      '--split',
      'test',
      '--metric',
      'accuracy=0.875',
    ]).trim();
  });
  afterAll(() => cleanup());

  it('cyclonedx: a machine-learning-model component whose model card names the session', async () => {
    const text = cli(['export', session, '--format', 'cyclonedx']);
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(text)).toBeNull();
    const bom = JSON.parse(text) as {
      metadata: { component: { 'bom-ref': string } };
      components: Json[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    const sessionRef = bom.metadata.component['bom-ref'];
    const models = bom.components.filter((c) => c.type === 'machine-learning-model');
    expect(models).toHaveLength(1);
    const model = models[0];
    expect(model).toMatchObject({
      'bom-ref': `origin-lineage-${run}`,
      name: 'lineage-lm',
      version: '1.2',
      modelCard: {
        modelParameters: { datasets: [{ ref: sessionRef }] },
        quantitativeAnalysis: {
          performanceMetrics: [
            { type: 'loss', value: '0.25', slice: 'train' },
            { type: 'accuracy', value: '0.875', slice: 'test' },
          ],
        },
      },
    });
    expect(model.hashes).toBeUndefined(); // the event hash is not a hash of a model file
    expect(model.properties).toEqual(
      expect.arrayContaining([
        { name: 'origin:lineage_event', value: run },
        { name: 'origin:param:lr', value: '3e-5' },
        { name: 'origin:dataset_event', value: dataset },
      ]),
    );
    expect(bom.dependencies).toContainEqual({
      ref: `origin-lineage-${run}`,
      dependsOn: [sessionRef],
    });
  });

  it('spdx: an ai_AIPackage trainedOn and testedOn the session, valid by schema, SHACL and profile rules', () => {
    const doc = JSON.parse(cli(['export', session, '--format', 'spdx'])) as Graph;
    const result = validateSpdx(doc);
    expect(result.schema).toEqual([]);
    expect(result.shacl.results).toEqual([]);
    expect(result.shacl.conforms).toBe(true);
    expect(profileViolations(doc)).toEqual([]);

    const graph = doc['@graph'];
    const ai = graph.filter((e) => e.type === 'ai_AIPackage');
    expect(ai).toHaveLength(1);
    expect(ai[0]).toMatchObject({
      name: 'lineage-lm',
      software_packageVersion: '1.2',
      software_primaryPurpose: 'model',
      ai_hyperparameter: [{ type: 'DictionaryEntry', key: 'lr', value: '3e-5' }],
      ai_metric: [
        { type: 'DictionaryEntry', key: 'loss (train)', value: '0.25' },
        { type: 'DictionaryEntry', key: 'accuracy (test)', value: '0.875' },
      ],
    });
    expect(ai[0].comment).toContain(evalHeldout);
    const sessionPackage = (graph.find((e) => e.type === 'SpdxDocument') as Json)
      .rootElement as string[];
    const rel = (type: string) =>
      graph.filter(
        (e) => e.type === 'Relationship' && e.from === ai[0].spdxId && e.relationshipType === type,
      );
    expect(rel('trainedOn').map((r) => r.to)).toEqual([sessionPackage]);
    expect(rel('testedOn').map((r) => r.to)).toEqual([sessionPackage]);
    const document = graph.find((e) => e.type === 'SpdxDocument') as Json;
    expect(document.profileConformance).toContain('ai');
  });

  it('spdx: the validators catch broken copies (schema, SHACL and profile rules)', () => {
    const doc = JSON.parse(cli(['export', session, '--format', 'spdx'])) as Graph;
    const copy = (): Graph => JSON.parse(JSON.stringify(doc)) as Graph;
    const ai = (d: Graph) => d['@graph'].find((e) => e.type === 'ai_AIPackage') as Json;

    const badPurpose = copy();
    ai(badPurpose).software_primaryPurpose = 'weights';
    expect(validateSpdx(badPurpose).schema).not.toEqual([]);

    // A relationship to something that is no element: valid JSON, caught only by SHACL.
    const dangling = copy();
    const trained = dangling['@graph'].find((e) => e.relationshipType === 'trainedOn') as Json;
    trained.to = ['urn:example:not-an-element'];
    const shacl = validateSpdx(dangling);
    expect(shacl.schema).toEqual([]);
    expect(shacl.shacl.conforms).toBe(false);

    const noLicense = copy();
    noLicense['@graph'] = noLicense['@graph'].filter(
      (e) => !(e.relationshipType === 'hasConcludedLicense' && e.from === ai(doc).spdxId),
    );
    const noVersion = copy();
    delete ai(noVersion).software_packageVersion;
    expect(profileViolations(noLicense)).toEqual([
      `${ai(doc).spdxId as string}: 0 hasConcludedLicense relationships`,
    ]);
    expect(profileViolations(noVersion)).toEqual([
      `${ai(doc).spdxId as string}: software_packageVersion has 0 values`,
    ]);
  });

  it('card: the dataset event an evaluation names is in the lineage, and an early one is flagged', () => {
    const md = cli(['card', session]);
    for (const hash of [dataset, heldout, run, evalOnSession, evalHeldout])
      expect(md).toContain(hash);
    expect(md).toMatch(
      new RegExp(
        `\\| dataset \\(another dataset\\) \\| \`${heldout}\` \\| 2001.*⚠ before the session started`,
      ),
    );
    expect(md).toMatch(/⚠ 1 event is dated before the session started/);
    expect(md).not.toMatch(new RegExp(`\`${run}\` \\| [^|]*⚠`));
  });
});
