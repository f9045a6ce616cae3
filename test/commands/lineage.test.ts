import { createHash } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliResult, origin, tempDir } from '../helpers/cli';
import { openDb } from '../helpers/reference';

interface EventDoc {
  hash: string;
  type: string;
  parents: string[];
  payload: Record<string, unknown>;
  timestamp: string;
  created?: boolean;
}

interface TreeDoc extends EventDoc {
  session?: { session_id: string; status: string; records: number; session_root: string };
  parent_events: TreeDoc[];
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('origin lineage', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('origin-lineage-')));
  afterEach(() => cleanup());

  const run = (args: string[], input?: string): CliResult => origin(args, { cwd: dir, input });
  const ok = (args: string[], input?: string): string => {
    const r = run(args, input);
    if (r.status !== 0)
      throw new Error(`origin ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  const json = <T>(args: string[], input?: string): T =>
    JSON.parse(ok([...args, '--json'], input)) as T;

  /** A real ingested session, then dataset → training → evaluation → prediction. */
  function chain(): {
    session: { session_id: string; session_root: string; session_head: string; records: number };
    dataset: EventDoc;
    training: EventDoc;
    evaluation: EventDoc;
    prediction: EventDoc;
  } {
    writeFileSync(
      join(dir, 'reviews.jsonl'),
      '{"text":"great product"}\n{"text":"awful"}\n{"text":"fine, I guess"}\n',
    );
    const session = json<{
      session_id: string;
      session_root: string;
      session_head: string;
      records: number;
    }>(['ingest', 'reviews.jsonl', '--content-field', 'text']);
    const dataset = json<EventDoc>([
      'lineage',
      'record',
      'dataset',
      '--session',
      session.session_id.slice(0, 8),
      '--name',
      'reviews',
      '--version',
      '2024-05',
      '--timestamp',
      '2024-05-01T10:00:00Z',
    ]);
    const training = json<EventDoc>([
      'lineage',
      'record',
      'training',
      '--parent',
      dataset.hash.slice(0, 8),
      '--model',
      'sentiment',
      '--model-version',
      '1.2',
      '--run-id',
      'run-42',
      '--param',
      'lr=3e-5',
      '--param',
      'tags=a|b,c=d',
      '--started',
      '2024-05-01T12:00:00+02:00',
      '--finished',
      '2024-05-01T12:30:00Z',
      '--timestamp',
      '2024-05-01T12:30:00Z',
    ]);
    const evaluation = json<EventDoc>([
      'lineage',
      'record',
      'evaluation',
      '--parent',
      training.hash,
      '--dataset',
      dataset.hash.slice(0, 12),
      '--split',
      'test',
      '--metric',
      'accuracy=0.913',
      '--metric',
      'loss=0.30000000000000004',
      '--timestamp',
      '2024-05-01T13:00:00.000Z',
    ]);
    const prediction = json<EventDoc>([
      'lineage',
      'record',
      'prediction',
      '--parent',
      evaluation.hash,
      '--model-event',
      training.hash.slice(0, 8),
      '--input-fingerprint',
      sha256Hex('great product').toUpperCase(),
      '--output',
      'positive',
      '--timestamp',
      '2024-05-02T09:00:00Z',
    ]);
    return { session, dataset, training, evaluation, prediction };
  }

  it('records a chain whose hashes are SHA-256 of the hand-written canonical form', () => {
    const { session, dataset, training, evaluation, prediction } = chain();
    const datasetJcs = `{"parents":[],"payload":{"checksum":"${session.session_root}","name":"reviews","rows":3,"session_head":"${session.session_head}","session_id":"${session.session_id}","version":"2024-05"},"timestamp":"2024-05-01T10:00:00.000Z","type":"dataset"}`;
    expect(dataset).toEqual({
      ...JSON.parse(datasetJcs),
      hash: sha256Hex(datasetJcs),
      created: true,
    });

    const trainingJcs = `{"parents":["${dataset.hash}"],"payload":{"finished_at":"2024-05-01T12:30:00.000Z","model":"sentiment","model_version":"1.2","params":{"lr":"3e-5","tags":"a|b,c=d"},"run_id":"run-42","started_at":"2024-05-01T10:00:00.000Z"},"timestamp":"2024-05-01T12:30:00.000Z","type":"training"}`;
    expect(training.hash).toBe(sha256Hex(trainingJcs));

    const evaluationJcs = `{"parents":${JSON.stringify([dataset.hash, training.hash].sort())},"payload":{"dataset":"${dataset.hash}","metrics":{"accuracy":0.913,"loss":0.30000000000000004},"split":"test"},"timestamp":"2024-05-01T13:00:00.000Z","type":"evaluation"}`;
    expect(evaluation.hash).toBe(sha256Hex(evaluationJcs));

    expect(prediction.parents).toEqual([evaluation.hash, training.hash].sort());
    expect(prediction.payload).toEqual({
      input_fingerprint: sha256Hex('great product'),
      model_event: training.hash,
      output: 'positive',
    });

    // Human output is the hash alone; recording it again changes nothing and says so.
    const again = run([
      'lineage',
      'record',
      'evaluation',
      '--parent',
      training.hash,
      '--dataset',
      dataset.hash,
      '--split',
      'test',
      '--metric',
      'loss=0.30000000000000004',
      '--metric',
      'accuracy=0.913',
      '--timestamp',
      '2024-05-01T15:00:00+02:00',
    ]);
    expect(again).toMatchObject({ status: 0, stdout: `${evaluation.hash}\n` });
    expect(again.stderr).toMatch(/already recorded/);
    expect(json<EventDoc[]>(['lineage', 'list'])).toHaveLength(4);
    expect(json<EventDoc[]>(['lineage', 'list', '--type', 'training'])).toEqual([
      {
        hash: training.hash,
        type: 'training',
        parents: training.parents,
        payload: training.payload,
        timestamp: training.timestamp,
      },
    ]);
    expect(ok(['lineage', 'list'])).toMatch(/evaluation.*metrics\.accuracy=0\.913/);
  });

  it('traces a prediction back through every path to the dataset and its session', () => {
    const { session, dataset, training, evaluation, prediction } = chain();
    const tree = json<TreeDoc>(['lineage', 'trace', prediction.hash.slice(0, 10)]);
    expect(tree.hash).toBe(prediction.hash);
    const paths: string[][] = [];
    const walk = (node: TreeDoc, path: string[]): void => {
      const here = [...path, node.type];
      if (node.parent_events.length === 0) paths.push(node.session ? [...here, 'session'] : here);
      node.parent_events.forEach((p) => walk(p, here));
    };
    walk(tree, []);
    expect(paths.sort()).toEqual(
      [
        ['prediction', 'evaluation', 'dataset', 'session'],
        ['prediction', 'evaluation', 'training', 'dataset', 'session'],
        ['prediction', 'training'],
      ].sort(),
    );

    const list = json<(EventDoc & { depth: number; session?: { session_id: string } })[]>([
      'lineage',
      'trace',
      prediction.hash,
      '--list',
    ]);
    expect(list.map((e) => [e.hash, e.depth])).toEqual([
      [prediction.hash, 0],
      [evaluation.hash, 1],
      [training.hash, 1],
      [dataset.hash, 2],
    ]);
    expect(list[3].session).toEqual({
      session_id: session.session_id,
      status: 'completed',
      records: 3,
      session_root: session.session_root,
    });

    const human = ok(['lineage', 'trace', prediction.hash]);
    expect(human.split('\n')[0]).toMatch(/^prediction [0-9a-f]{16}… {2}2024-05-02T09:00:00\.000Z/);
    expect(human).toMatch(/└── session [0-9a-f]{32} {2}completed, 3 records/);
    expect(human).toContain('(ancestors shown above)');
  });

  it('lists the models trained and evaluated on sessions that contain a traced sample', () => {
    const { session, training, evaluation } = chain();
    const report = json<{ models: { type: string; hash: string; via_sessions: string[] }[] }>([
      'trace',
      '--text',
      'great product',
    ]);
    expect(report.models.map((m) => [m.type, m.hash])).toEqual([
      ['training', training.hash],
      ['evaluation', evaluation.hash],
    ]);
    expect(report.models[0].via_sessions).toEqual([session.session_id]);
    expect(ok(['trace', '--text', 'great product'])).toContain(
      'Trained or evaluated on sessions that contain it:',
    );
  });

  it('verifies the chain, and exits 3 naming the event when a copy of the database is tampered with', async () => {
    const { training, evaluation, prediction } = chain();
    const verified = run(['lineage', 'verify', prediction.hash.slice(0, 8)]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/4 lineage event\(s\) verified/);

    const tamper = async (name: string, sql: string): Promise<CliResult> => {
      const copy = join(dir, name);
      copyFileSync(join(dir, 'origin.db'), copy);
      const db = await openDb(copy);
      db.run(sql);
      writeFileSync(copy, Buffer.from(db.export()));
      db.close();
      return run(['lineage', 'verify', prediction.hash, '--path', copy, '--json']);
    };
    const failing = (r: CliResult): [string, string][] => {
      expect(r.status).toBe(3);
      const doc = JSON.parse(r.stdout) as {
        ok: boolean;
        failures: { event: string; check: string }[];
      };
      expect(doc.ok).toBe(false);
      return doc.failures.map((f) => [f.event, f.check]);
    };

    expect(
      failing(
        await tamper(
          'payload.db',
          `UPDATE events SET payload = replace(payload, '0.913', '0.95') WHERE type = 'evaluation'`,
        ),
      ),
    ).toEqual([[evaluation.hash, 'hash']]);
    expect(
      failing(
        await tamper(
          'time.db',
          `UPDATE events SET timestamp = '2024-05-01T12:30:00.001Z' WHERE type = 'training'`,
        ),
      ),
    ).toEqual([[training.hash, 'hash']]);
    expect(
      failing(
        await tamper(
          'parents.db',
          `DELETE FROM event_parents WHERE child_id = (SELECT id FROM events WHERE type = 'prediction')
             AND parent_id = (SELECT id FROM events WHERE type = 'evaluation')`,
        ),
      ),
    ).toEqual([[prediction.hash, 'hash']]);
    expect(
      failing(
        await tamper(
          'relink.db',
          `UPDATE event_parents SET parent_id = (SELECT id FROM events WHERE type = 'dataset')
             WHERE child_id = (SELECT id FROM events WHERE type = 'prediction')
             AND parent_id = (SELECT id FROM events WHERE type = 'training')`,
        ),
      ),
    ).toEqual([
      [prediction.hash, 'hash'],
      [prediction.hash, 'reference'],
    ]);
    const session = await tamper('session.db', `UPDATE sessions SET record_count = 2`);
    expect(failing(session)).toEqual([[expect.any(String), 'dataset']]);

    const human = run(['lineage', 'verify', '--path', join(dir, 'payload.db')]);
    expect(human.status).toBe(3);
    expect(human.stdout).toContain(
      `evaluation ${evaluation.hash}: its content no longer matches its hash`,
    );
    // The original is untouched and still verifies.
    expect(run(['lineage', 'verify']).status).toBe(0);
  });

  it('exits 2 for missing or ambiguous parents, wrong flags and bad values', () => {
    ok(['init']);
    const missing = run([
      'lineage',
      'record',
      'training',
      '--model',
      'm',
      '--parent',
      'deadbeefdeadbeef',
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no lineage event matches parent "deadbeefdeadbeef"/);
    expect(run(['lineage', 'record', 'training', '--model', 'm', '--parent', 'abc']).status).toBe(
      2,
    );
    expect(run(['lineage', 'record', 'training', '--model', 'm', '--metric', 'a=1']).status).toBe(
      2,
    );
    expect(run(['lineage', 'record', 'evaluation', '--metric', 'a=NaN']).status).toBe(2);
    expect(
      run(['lineage', 'record', 'training', '--model', 'm', '--timestamp', 'today']).status,
    ).toBe(2);
    expect(run(['lineage', 'record', 'deployment']).status).toBe(2);
    expect(run(['lineage', 'trace', '0123456789abcdef']).status).toBe(2);
    // Nothing of the above was recorded.
    expect(json<EventDoc[]>(['lineage', 'list'])).toEqual([]);

    // A session still open cannot be a dataset: its root still moves.
    const open = ok(['session', 'start']).trim();
    ok(['ingest', '--session', open], '{"a":1}\n');
    const r = run(['lineage', 'record', 'dataset', '--session', open]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/still open/);
  });

  it('records JSON Lines from stdin for pipelines, all or nothing', () => {
    const base = {
      type: 'training',
      payload: { model: 'm', params: { lr: 0.001, layers: 12 } },
      timestamp: '2024-05-01T12:00:00Z',
    };
    const baseJcs =
      '{"parents":[],"payload":{"model":"m","params":{"layers":12,"lr":0.001}},"timestamp":"2024-05-01T12:00:00.000Z","type":"training"}';
    const baseHash = sha256Hex(baseJcs);
    const lines = [
      JSON.stringify(base),
      JSON.stringify({
        type: 'evaluation',
        payload: { metrics: { f1: 0.5 } },
        parents: [baseHash.slice(0, 8)],
      }),
    ].join('\n');
    const out = ok(['lineage', 'record', '--from-json', '-', '--json'], lines);
    const docs = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EventDoc);
    expect(docs.map((d) => d.type)).toEqual(['training', 'evaluation']);
    expect(docs[0].hash).toBe(baseHash);
    expect(docs[1].parents).toEqual([baseHash]);

    const bad = run(
      ['lineage', 'record', '--from-json', '-'],
      `${JSON.stringify({ ...base, timestamp: '2024-06-01T00:00:00Z' })}\n{"type":"training","payload":{"model":"x"},"parents":["ffffffffffff"]}\n`,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/stdin:2: no lineage event matches/);
    expect(json<EventDoc[]>(['lineage', 'list'])).toHaveLength(2);

    writeFileSync(
      join(dir, 'one.json'),
      JSON.stringify({ ...base, timestamp: '2024-06-01T00:00:00Z' }, null, 2),
    );
    const single = json<EventDoc>(['lineage', 'record', 'training', '--from-json', 'one.json']);
    expect(single.created).toBe(true);
    expect(run(['lineage', 'record', 'dataset', '--from-json', 'one.json']).status).toBe(2);
    expect(run(['lineage', 'record', '--from-json', 'one.json', '--model', 'm']).status).toBe(2);
  });
});
