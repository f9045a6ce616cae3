import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { origin, tempDir } from '../helpers/cli';
import { V2Vectors, readVector } from '../helpers/vectors';

interface Probe {
  valid: boolean;
  desc: string;
  [key: string]: unknown;
}
const probes = readVector<{ inclusion: Probe[]; consistency: Probe[] }>('rfc9162-proofs.json');
const v2 = readVector<V2Vectors>('v2.json').session;

describe('consistency proofs through the CLI', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  const run = (args: string[], input?: string) =>
    origin([...args, '--path', db], { cwd: dir, input });

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-consistency-'));
    db = join(dir, 'origin.db');
  });
  afterAll(() => cleanup());

  it('verify-proof agrees with every probe of rfc9162-proofs.json, valid or not', () => {
    const all = [
      ...probes.inclusion.map((p) => ({ kind: 'inclusion', p })),
      ...probes.consistency.map((p) => ({ kind: 'consistency', p })),
    ];
    const disagreements: string[] = [];
    all.forEach(({ kind, p }, i) => {
      const { valid, desc, ...proof } = p;
      const file = join(dir, `probe-${i}.json`);
      writeFileSync(file, JSON.stringify(proof));
      const r = origin(['verify-proof', file], { cwd: dir });
      if (r.status !== (valid ? 0 : 3))
        disagreements.push(`${kind} ${i} (${desc}): exit ${r.status}`);
    });
    expect(disagreements).toEqual([]);
  });

  it('proves an appended session consistent with its older root (vectors/v2.json)', () => {
    const id = run(['session', 'start']).stdout.trim();
    const ingest = (texts: string[]) =>
      expect(
        run(['ingest', '--session', id, '--format', 'text'], texts.map((t) => `${t}\n`).join(''))
          .status,
      ).toBe(0);
    ingest(v2.texts.slice(0, 3));
    const old = JSON.parse(run(['inspect', id, '--json']).stdout);
    expect(old.session_root).toBe(v2.root_of_first_3);
    ingest(v2.texts.slice(3));
    const r = run(['prove', '--consistency', '--from-size', '3', '--session', id]);
    expect(r.status).toBe(0);
    const proof = JSON.parse(r.stdout);
    expect(proof).toMatchObject({
      kind: 'consistency',
      log: 'session',
      session_id: id,
      size1: 3,
      size2: 5,
      root1: v2.root_of_first_3,
      root2: v2.root,
      path: v2.consistency_3_to_5,
    });
    const file = join(dir, 'session-consistency.json');
    writeFileSync(file, r.stdout);
    const ok = origin(['verify-proof', file, '--root', v2.root], { cwd: dir });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/extends the tree of 3 leaves/);
    expect(origin(['verify-proof', file, '--root', 'ab'.repeat(32)], { cwd: dir }).status).toBe(3);
    writeFileSync(file, JSON.stringify({ ...proof, root1: v2.root }));
    expect(origin(['verify-proof', file], { cwd: dir }).status).toBe(3);
    expect(run(['prove', '--consistency', '--from-size', '6', '--session', id]).status).toBe(2);
    expect(
      run(['prove', '--consistency', '--from-size', '2', '--session', id, 'abcdef12']).status,
    ).toBe(2);
    expect(run(['prove', '--from-size', '2']).status).toBe(2);
  });

  it('proves the store log grew by appending only', () => {
    expect(run(['ingest', '--format', 'text'], 'w\n').status).toBe(0);
    const before = JSON.parse(run(['status', '--json']).stdout).store_head;
    expect(run(['ingest', '--format', 'text'], 'x\ny\n').status).toBe(0);
    expect(run(['ingest', '--format', 'text'], 'z\n').status).toBe(0);
    const after = JSON.parse(run(['status', '--json']).stdout).store_head;
    expect(after.tree_size).toBe(before.tree_size + 2);
    const r = run(['prove', '--consistency', '--from-size', String(before.tree_size)]);
    expect(r.status).toBe(0);
    const proof = JSON.parse(r.stdout);
    expect(proof).toMatchObject({
      log: 'store',
      session_id: null,
      size1: before.tree_size,
      size2: after.tree_size,
      root2: after.root,
    });
    const file = join(dir, 'store-consistency.json');
    writeFileSync(file, r.stdout);
    expect(origin(['verify-proof', file, '--root', after.root], { cwd: dir }).status).toBe(0);
    // The old root printed by status is the one the proof starts from.
    expect(proof.root1).toBe(before.root);
  });
});
