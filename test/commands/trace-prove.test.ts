import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InclusionProof, checkProof } from '../../src/core/samples/prove';
import type { TraceReport } from '../../src/core/samples/trace';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';
import { openDb, sha256Hex } from '../helpers/reference';

describe('origin trace, prove, verify-proof', () => {
  let dir: string;
  let empty: string;
  let cleanups: (() => void)[];
  let s1: string;
  let s2: string;
  let root1: string;

  const json = <T>(args: string[], input?: string): T => {
    const r = origin([...args, '--json'], { cwd: dir, input });
    if (r.status !== 0) throw new Error(`${args[0]} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  // "shared" is seen in both sessions under three origins; the rest once each.
  const records1 = [
    ...Array.from({ length: 40 }, (_, i) => ({
      text: `alpha ${i}`,
      source: 'wiki',
      license: 'MIT',
    })),
    { text: 'shared', source: 'wiki', license: 'MIT' },
    ...Array.from({ length: 20 }, (_, i) => ({
      text: `beta ${i}`,
      source: 'news',
      license: 'CC-BY-4.0',
    })),
    { text: 'shared', source: 'news', license: 'CC-BY-4.0' },
  ];

  beforeAll(() => {
    const a = tempDir('origin-trace-');
    const b = tempDir('origin-proof-empty-');
    dir = a.dir;
    empty = b.dir;
    cleanups = [a.cleanup, b.cleanup];
    const ingest = json<{ session_id: string; session_root: string }>(
      ['ingest', ...RECORD_FIELDS, '--batch-size', '8'],
      records1.map((r) => JSON.stringify(r)).join('\n'),
    );
    s1 = ingest.session_id;
    root1 = ingest.session_root;
    // Session 2: whole records (no content field), so --record finds them.
    s2 = json<{ session_id: string }>(
      ['ingest', '--source', 'forum', '--license', 'CC-BY-SA-4.0'],
      ['{"b":1,"a":"x"}', '{"text":"shared"}', '{"n":null}'].join('\n'),
    ).session_id;
  });
  afterAll(() => cleanups.forEach((c) => c()));

  describe('trace', () => {
    it('finds a text everywhere it was observed, with sources, sessions and positions', () => {
      const t = json<TraceReport>(['trace', '--text', 'shared']);
      expect(t.fingerprint).toBe(sha256Hex('shared'));
      expect(t.size).toBe(6);
      expect(t.observation_count).toBe(2);
      expect(t.origins).toEqual([
        { source: 'news', license: 'CC-BY-4.0', observations: 1 },
        { source: 'wiki', license: 'MIT', observations: 1 },
      ]);
      expect(t.observations).toEqual([
        {
          session_id: s1,
          batch_seq: 5,
          position: 40,
          batch_position: 0,
          source: 'wiki',
          license: 'MIT',
        },
        {
          session_id: s1,
          batch_seq: 7,
          position: 61,
          batch_position: 5,
          source: 'news',
          license: 'CC-BY-4.0',
        },
      ]);
      expect(t.sessions).toEqual([
        expect.objectContaining({
          session_id: s1,
          observations: 2,
          first_position: 40,
          batches: [5, 7],
        }),
      ]);
      expect(t.first_seen).toMatchObject({ session_id: s1, batch_seq: 5, position: 40 });
    });

    it('finds a sample by a unique fingerprint prefix and by its full fingerprint', () => {
      const fp = sha256Hex('alpha 7');
      for (const q of [fp.slice(0, 8), fp.slice(0, 13).toUpperCase(), fp]) {
        const t = json<TraceReport>(['trace', q]);
        expect(t.fingerprint).toBe(fp);
        expect(t.observations).toEqual([
          expect.objectContaining({ session_id: s1, batch_seq: 0, position: 7, batch_position: 7 }),
        ]);
      }
      const human = origin(['trace', fp.slice(0, 10)], { cwd: dir });
      expect(human.status).toBe(0);
      expect(human.stdout).toContain(fp);
      expect(human.stdout).toContain('wiki');
      expect(human.stdout).toContain(s1);
    });

    it('finds a whole record by its canonical form, whatever its key order and spacing', () => {
      const t = json<TraceReport>(['trace', '--record', '{ "a": "x",  "b": 1.0 }']);
      expect(t.fingerprint).toBe(sha256Hex('{"a":"x","b":1}'));
      expect(t.observations).toEqual([
        expect.objectContaining({
          session_id: s2,
          position: 0,
          source: 'forum',
          license: 'CC-BY-SA-4.0',
        }),
      ]);
      expect(json<TraceReport>(['trace', '--record', '{"n":null}']).observations[0].position).toBe(
        2,
      );
    });

    it('exits 2 when nothing matches, on bad input, and lists an ambiguous prefix', async () => {
      expect(origin(['trace', '--text', 'never ingested'], { cwd: dir }).status).toBe(2);
      expect(origin(['trace', 'deadbeefdeadbeef'], { cwd: dir }).status).toBe(2);
      expect(origin(['trace', 'abc'], { cwd: dir }).status).toBe(2);
      expect(origin(['trace', 'not-hex!'], { cwd: dir }).status).toBe(2);
      expect(origin(['trace', '--record', '{oops'], { cwd: dir }).status).toBe(2);
      expect(origin(['trace'], { cwd: dir }).status).toBe(2);
      expect(origin(['trace', '--text', 'a', '--record', '1'], { cwd: dir }).status).toBe(2);
      // Two samples sharing a 10-character prefix, planted in a copy.
      const path = join(dir, 'ambiguous.db');
      copyFileSync(join(dir, 'origin.db'), path);
      const d = await openDb(path);
      d.run('INSERT INTO samples (fingerprint, size) VALUES (?, 1), (?, 2)', [
        Buffer.from(`abcdef0123${'0'.repeat(54)}`, 'hex'),
        Buffer.from(`abcdef0123${'f'.repeat(54)}`, 'hex'),
      ]);
      writeFileSync(path, d.export());
      const r = origin(['trace', 'abcdef01', '--path', path], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/ambiguous/);
      expect(r.stderr).toContain(`abcdef0123${'0'.repeat(54)}`);
      expect(r.stderr).toContain(`abcdef0123${'f'.repeat(54)}`);
    });
  });

  describe('prove and verify-proof', () => {
    const proofFile = (): string => join(dir, 'proof.json');

    it('writes a proof that verifies with no database anywhere near', () => {
      const r = origin(
        ['prove', sha256Hex('beta 3').slice(0, 12), '--session', s1.slice(0, 6), '-o', proofFile()],
        { cwd: dir },
      );
      expect(r.status).toBe(0);
      const proof = JSON.parse(readFileSync(proofFile(), 'utf8')) as InclusionProof;
      expect(proof).toMatchObject({
        version: 1,
        algorithm: 'RFC9162-SHA256',
        session_id: s1,
        leaf_index: 44,
        tree_size: 62,
        fingerprint: sha256Hex('beta 3'),
        root: root1,
      });
      expect(proof.path).toHaveLength(6);

      const v = origin(['verify-proof', proofFile()], { cwd: empty });
      expect(v.status).toBe(0);
      expect(v.stdout).toMatch(/Proof valid/);
      // Without --root it says what it checked and that the proof's own root proves nothing.
      expect(v.stdout).toContain(
        "Checked: the audit path leads from the fingerprint to the proof's own root",
      );
      expect(v.stdout).toContain('Not checked: that the root is one you trust');
      expect(v.stdout).toContain('Pass --root');
      const pinned = origin(['verify-proof', proofFile(), '--root', root1], { cwd: empty });
      expect(pinned.status).toBe(0);
      expect(pinned.stdout).toContain('(the --root given)');
      expect(pinned.stdout).not.toContain('Not checked');
      const stdin = origin(['verify-proof', '-', '--json'], {
        cwd: empty,
        input: readFileSync(proofFile()),
      });
      expect(stdin.status).toBe(0);
      expect(JSON.parse(stdin.stdout)).toMatchObject({
        valid: true,
        leaf_index: 44,
        root_matches: null,
        not_checked: expect.stringContaining('a proof carries its own root'),
      });
      // Not even ORIGIN_DB_PATH tempts it to open or create a database.
      const env = origin(['verify-proof', proofFile()], {
        cwd: empty,
        env: { ORIGIN_DB_PATH: join(empty, 'x.db') },
      });
      expect(env.status).toBe(0);
      expect(readdirSync(empty)).toEqual([]);
    });

    it('prints the proof on stdout without -o, for --text and --record, proving the first observation', () => {
      const proof = JSON.parse(
        origin(['prove', '--text', 'shared', '--session', s1], { cwd: dir }).stdout,
      ) as InclusionProof;
      expect(proof.leaf_index).toBe(40);
      const other = JSON.parse(
        origin(['prove', '--record', '{"text":"shared"}', '--session', s2], { cwd: dir }).stdout,
      ) as InclusionProof;
      expect(other).toMatchObject({ leaf_index: 1, tree_size: 3, session_id: s2 });
      expect(checkProof(JSON.stringify(other)).valid).toBe(true);
    });

    it('exits 2 for a sample that is not in the session', () => {
      const r = origin(['prove', '--text', 'alpha 1', '--session', s2], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/not in session/);
      expect(origin(['prove', '--text', 'alpha 1'], { cwd: dir }).status).toBe(2);
    });

    it('fails (exit 3) when any hex digit of the proof changes, and on another --root', () => {
      const text = readFileSync(proofFile(), 'utf8');
      const proof = JSON.parse(text) as InclusionProof;
      const flip = (hex: string, i: number): string =>
        hex.slice(0, i) + ((parseInt(hex[i], 16) + 1) % 16).toString(16) + hex.slice(i + 1);
      // Every digit of every hash, checked in-process (the same code the CLI runs)…
      const variants: InclusionProof[] = [];
      for (let i = 0; i < 64; i++) {
        variants.push({ ...proof, fingerprint: flip(proof.fingerprint, i) });
        variants.push({ ...proof, root: flip(proof.root, i) });
        proof.path.forEach((_, p) => {
          const path = [...proof.path];
          path[p] = flip(path[p], i);
          variants.push({ ...proof, path });
        });
      }
      expect(variants).toHaveLength(64 * (2 + proof.path.length));
      for (const v of variants) expect(checkProof(JSON.stringify(v)).valid).toBe(false);
      // …and a sample of them through the CLI, in the directory with no database.
      const bad = join(dir, 'bad-proof.json');
      for (const v of [variants[0], variants[1], variants[2], variants[variants.length - 1]]) {
        writeFileSync(bad, JSON.stringify(v));
        const r = origin(['verify-proof', bad], { cwd: empty });
        expect(r.status).toBe(3);
        expect(r.stdout).toMatch(/Proof INVALID/);
      }
      const other = origin(['verify-proof', proofFile(), '--root', sha256Hex('x'), '--json'], {
        cwd: empty,
      });
      expect(other.status).toBe(3);
      expect(JSON.parse(other.stdout)).toMatchObject({ valid: false, root_matches: false });
      expect(readdirSync(empty)).toEqual([]);
    });

    it('exits 3 for malformed values and 2 for what is not a proof at all', () => {
      const proof = JSON.parse(readFileSync(proofFile(), 'utf8')) as InclusionProof;
      const run = (doc: unknown): number => {
        const path = join(dir, 'variant.json');
        writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
        return origin(['verify-proof', path], { cwd: empty }).status;
      };
      expect(run({ ...proof, leaf_index: proof.tree_size })).toBe(3);
      expect(run({ ...proof, root: proof.root.slice(2) })).toBe(3);
      expect(run({ ...proof, path: [...proof.path, proof.path[0]] })).toBe(3);
      expect(run('not json')).toBe(2);
      const noPath: Partial<InclusionProof> = { ...proof };
      delete noPath.path;
      expect(run(noPath)).toBe(2);
      expect(origin(['verify-proof', join(empty, 'missing.json')], { cwd: empty }).status).toBe(2);
      expect(existsSync(join(empty, 'origin.db'))).toBe(false);
    });
  });
});
