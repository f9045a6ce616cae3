import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, origin, originAsync, tempDir } from '../helpers/cli';
import { openDb, referenceRoot, rows, sessionFingerprints, sha256Hex } from '../helpers/reference';
import { FingerprintVectors, readVector } from '../helpers/vectors';

const vectors = readVector<FingerprintVectors>('fingerprints.json');

describe('origin ingest', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('origin-ingest-')));
  afterEach(() => cleanup());
  const db = (): string => join(dir, 'origin.db');
  const write = (name: string, text: string | Buffer): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const ingestJson = (args: string[], input?: string | Buffer): Record<string, unknown> => {
    const r = origin(['ingest', ...args, '--json'], { cwd: dir, input });
    if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  it('records the SPEC vector fingerprints and session root', async () => {
    // Two text samples (content-field values) then the third vector as a whole record.
    const texts = vectors.samples.slice(0, 2).map((s) => JSON.parse(s.line).text as string);
    const start = origin(['session', 'start'], { cwd: dir });
    const id = start.stdout.trim();
    ingestJson(
      ['--session', id, '--content-field', 'text'],
      vectors.samples
        .slice(0, 2)
        .map((s) => s.line)
        .join('\n'),
    );
    ingestJson(['--session', id], `${vectors.samples[2].line}\n`);
    const d = await openDb(db());
    const fps = sessionFingerprints(d, id).map((b) => b.toString('hex'));
    expect(fps).toEqual(vectors.roots[1].fingerprints);
    expect(fps.slice(0, 2)).toEqual(texts.map((t) => sha256Hex(t)));
    const session = rows<{ root: Uint8Array }>(d, 'SELECT root FROM sessions WHERE uid = ?', [
      id,
    ])[0];
    expect(Buffer.from(session.root).toString('hex')).toBe(vectors.roots[1].root);
    const inspect = JSON.parse(origin(['inspect', id.slice(0, 8), '--json'], { cwd: dir }).stdout);
    expect(inspect.session_root).toBe(vectors.roots[1].root);
    expect(inspect.records).toBe(3);
  });

  it('fingerprints whole records canonically and text lines as their bytes', async () => {
    const summary = ingestJson([write('v.jsonl', vectors.samples.map((s) => s.line).join('\n'))]);
    const d = await openDb(db());
    const fps = sessionFingerprints(d, summary.session_id as string).map((b) => b.toString('hex'));
    expect(fps).toEqual(vectors.samples.map((s) => s.fingerprint));

    const text = ingestJson(['--format', 'text', write('t.txt', 'hello\r\nGrüße\n\nlast')]);
    const d2 = await openDb(db());
    const tfps = sessionFingerprints(d2, text.session_id as string).map((b) => b.toString('hex'));
    expect(tfps).toEqual(['hello', 'Grüße', '', 'last'].map((t) => sha256Hex(t)));
  });

  it('gives the same session root whatever the batch size, and batch roots cover their batches', async () => {
    const lines = Array.from({ length: 37 }, (_, i) =>
      JSON.stringify({ text: `sample ${i % 30}`, n: i }),
    ).join('\n');
    write('in.jsonl', lines);
    const roots = new Set<string>();
    for (const size of [1, 3, 4, 16, 1024]) {
      const s = ingestJson(['in.jsonl', '--content-field', 'text', '--batch-size', String(size)]);
      roots.add(s.session_root as string);
      expect(s.batches).toBe(Math.ceil(37 / size));
      expect(s.distinct).toBe(30);
      expect(s.duplicates).toBe(7);
    }
    expect(roots.size).toBe(1);
    const expected = referenceRoot(
      Array.from({ length: 37 }, (_, i) => Buffer.from(sha256Hex(`sample ${i % 30}`), 'hex')),
    );
    expect([...roots][0]).toBe(expected);

    const d = await openDb(db());
    const batches = rows<{ fingerprints: Uint8Array; root: Uint8Array; record_count: number }>(
      d,
      'SELECT fingerprints, root, record_count FROM batches',
    );
    for (const b of batches) {
      const leaves: Buffer[] = [];
      for (let off = 0; off < b.fingerprints.length; off += 32)
        leaves.push(Buffer.from(b.fingerprints.subarray(off, off + 32)));
      expect(leaves).toHaveLength(b.record_count);
      expect(Buffer.from(b.root).toString('hex')).toBe(referenceRoot(leaves));
    }
  });

  it('extends a session root across appends exactly as one ingest would', () => {
    const all = Array.from({ length: 2100 }, (_, i) => `line ${i}`);
    const one = ingestJson(['--format', 'text', '--batch-size', '1024'], all.join('\n'));
    const id = origin(['session', 'start'], { cwd: dir }).stdout.trim();
    ingestJson(
      ['--format', 'text', '--session', id, '--batch-size', '1024'],
      all.slice(0, 1000).join('\n'),
    );
    ingestJson(
      ['--format', 'text', '--session', id, '--batch-size', '1024'],
      all.slice(1000, 1100).join('\n'),
    );
    const last = ingestJson(
      ['--format', 'text', '--session', id, '--batch-size', '1024'],
      all.slice(1100).join('\n'),
    );
    expect(last.session_records).toBe(2100);
    expect(last.session_root).toBe(one.session_root);
    expect(one.session_root).toBe(referenceRoot(all.map((t) => Buffer.from(sha256Hex(t), 'hex'))));
  });

  it('keeps every source and license a content was seen under, and records missing licenses as unknown', () => {
    const lines = [
      { text: 'shared', source: 'a', license: 'MIT' },
      { text: 'shared', source: 'b', license: 'CC-BY-4.0' },
      { text: 'no license', source: 'c' },
      { text: 'flag fallback' },
    ].map((r) => JSON.stringify(r));
    const s = ingestJson([
      write('m.jsonl', lines.join('\n')),
      ...RECORD_FIELDS,
      '--source',
      'default-src',
    ]);
    const sources = (s.sources as { source: string; license: string; records: number }[])
      .map((x) => `${x.source}|${x.license}|${x.records}`)
      .sort();
    expect(sources).toEqual(['a|MIT|1', 'b|CC-BY-4.0|1', 'c|unknown|1', 'default-src|unknown|1']);
    expect(s.distinct).toBe(3);
    expect(s.duplicates).toBe(1);
    const again = ingestJson(['m.jsonl', '--content-field', 'text']);
    expect(again.already_known).toBe(3);
    expect(again.new_samples).toBe(0);
  });

  it('supports dotted content fields', () => {
    const s = ingestJson(['--content-field', 'data.body'], '{"data":{"body":"nested"}}\n');
    expect(s.records).toBe(1);
    const missing = origin(['ingest', '--content-field', 'data.other'], {
      cwd: dir,
      input: '{"data":{"body":"x"}}\n',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('stdin:1: no content field "data.other"');
  });

  describe('bad input', () => {
    const bad = ['{"text":"ok 1"}', '{"text":"ok 2"}', '{not json', '{"text":"ok 3"}'].join('\n');

    it('fails with file:line and exit 2, leaving the database byte-identical', () => {
      ingestJson(['--content-field', 'text'], '{"text":"before"}\n');
      const before = readFileSync(db());
      const r = origin(['ingest', write('bad.jsonl', bad), '--content-field', 'text'], {
        cwd: dir,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/bad\.jsonl:3: invalid JSON/);
      expect(r.stderr).toContain('--skip-invalid');
      expect(readFileSync(db()).equals(before)).toBe(true);
    });

    it('leaves no database behind when the first ingest fails', () => {
      const r = origin(['ingest', '--content-field', 'text'], { cwd: dir, input: bad });
      expect(r.status).toBe(2);
      expect(rowsOrNone()).toBe('none');
    });
    const rowsOrNone = (): string => {
      try {
        readFileSync(db());
        return 'exists';
      } catch {
        return 'none';
      }
    };

    it('refuses lines over --max-line-bytes', () => {
      const r = origin(['ingest', '--format', 'text', '--max-line-bytes', '10'], {
        cwd: dir,
        input: 'short\nthis line is too long\n',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('stdin:2: line is 21 bytes, over --max-line-bytes 10');
    });

    it('records the good lines with --skip-invalid and reports the skipped ones', async () => {
      const s = ingestJson(['--content-field', 'text', '--skip-invalid'], `${bad}\n{"other":1}\n`);
      expect(s.records).toBe(3);
      expect(s.skipped).toEqual({
        count: 2,
        first_lines: [
          { input: 'stdin', line: 3, reason: expect.stringContaining('invalid JSON') },
          { input: 'stdin', line: 5, reason: 'no content field "text" in this record' },
        ],
      });
      const d = await openDb(db());
      expect(
        rows<{ skipped_count: number }>(d, 'SELECT skipped_count FROM sessions')[0].skipped_count,
      ).toBe(2);
    });

    it.each([
      ['a number that overflows a double', '{"text":"x","n":1e400}', /number overflows a double/],
      ['a lone surrogate', '{"text":"\\ud800"}', /lone UTF-16 surrogate/],
      ['a lone surrogate in another field', '{"text":"x","m":"\\udfff"}', /lone UTF-16 surrogate/],
      ['a repeated key', '{"text":"a:b","m":{"k":1,"k":2}}', /duplicate key "k"/],
      [
        'nesting past 512 levels',
        `{"text":"x","m":${'['.repeat(600)}${']'.repeat(600)}}`,
        /deeper than 512/,
      ],
    ])('refuses %s with file:line and exit 2, in both fingerprint modes', (_what, line, reason) => {
      ingestJson(['--content-field', 'text'], '{"text":"before"}\n');
      const before = readFileSync(db());
      const input = write('bad.jsonl', `{"text":"ok"}\n${line}\n`);
      for (const mode of [['--content-field', 'text'], []]) {
        const r = origin(['ingest', input, ...mode], { cwd: dir });
        expect(r.stderr).toMatch(reason);
        expect(r.stderr).toContain('bad.jsonl:2:');
        expect(r.status).toBe(2);
      }
      expect(readFileSync(db()).equals(before)).toBe(true);
    });

    it('accepts colons in strings, repeated keys in different objects and escaped pairs', () => {
      const s = ingestJson(
        [],
        '{"t":"12:30","a":[{"k":1},{"k":2}],"b":{"k":3}}\n{"e":"\\ud83d\\ude00"}\n',
      );
      expect(s.records).toBe(2);
    });

    it('refuses invalid UTF-8 in --format text', () => {
      const r = origin(['ingest', '--format', 'text'], {
        cwd: dir,
        input: Buffer.from('fine\n\xff\xfe\n', 'latin1'),
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('stdin:2: line is not valid UTF-8');
    });

    it('refuses a --record that is not I-JSON', () => {
      ingestJson(['--content-field', 'text'], '{"text":"x"}\n');
      const r = origin(['trace', '--record', '{"a":1,"a":2}'], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--record is not I-JSON: duplicate key "a"');
    });

    it('refuses a missing session, an ended session and a missing file with exit 2', () => {
      expect(
        origin(['ingest', '--session', 'abcdef123456'], { cwd: dir, input: '{}\n' }).status,
      ).toBe(2);
      const id = origin(['session', 'start'], { cwd: dir }).stdout.trim();
      expect(origin(['session', 'end', id], { cwd: dir }).status).toBe(0);
      const ended = origin(['ingest', '--session', id], { cwd: dir, input: '{}\n' });
      expect(ended.status).toBe(2);
      expect(ended.stderr).toContain('is completed');
      const missing = origin(['ingest', 'nope.jsonl'], { cwd: dir });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('cannot read input nope.jsonl: ENOENT');
    });
  });

  const rowsOrNothing = (): string => {
    try {
      readFileSync(db());
      return 'exists';
    } catch {
      return 'none';
    }
  };

  describe('--tee', () => {
    const inputs: [string, Buffer][] = [
      ['valid JSONL', Buffer.from('{"a":1}\n{"b":2}\n')],
      ['no final newline', Buffer.from('{"a":1}\n{"b":2}')],
      ['CRLF and blank lines', Buffer.from('{"a":1}\r\n\r\n{"b":2}\r\n')],
      ['an invalid line in the middle', Buffer.from('{"a":1}\nnot json\n{"b":2}\n')],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]),
      ],
      [
        'a large input',
        Buffer.from(
          Array.from({ length: 20000 }, (_, i) =>
            JSON.stringify({ i, pad: 'x'.repeat(i % 300) }),
          ).join('\n'),
        ),
      ],
    ];

    it.each(inputs)('passes %s through byte for byte', (_name, input) => {
      const r = origin(['ingest', '--tee'], { cwd: dir, input });
      expect(Buffer.from(r.stdout, 'latin1').length).toBeGreaterThan(0);
      const out = originRaw(['ingest', '--tee', '--path', 'tee.db'], input);
      expect(out.stdout.equals(input)).toBe(true);
    });

    const originRaw = (args: string[], input: Buffer): { stdout: Buffer; status: number } => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
      const r = spawnSync(process.execPath, [join(__dirname, '../../bin/run.js'), ...args], {
        cwd: dir,
        input,
        env: { ...process.env, NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { stdout: r.stdout, status: r.status ?? -1 };
    };

    it('reports a bad line after the data has flowed, with exit 2 and the store unchanged', () => {
      const input = '{"a":1}\nnot json\n{"b":2}\n';
      const r = origin(['ingest', '--tee', '--json'], { cwd: dir, input });
      expect(r.stdout).toBe(input);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('stdin:2: invalid JSON');
      expect(JSON.parse(r.stderr.slice(0, r.stderr.indexOf('\nError:') + 1)).error.exit_code).toBe(
        2,
      );
      expect(rowsOrNothing()).toBe('none');
    });

    it('sends the summary to stderr so stdout stays the data', () => {
      const r = origin(['ingest', '--tee', '--json'], { cwd: dir, input: '{"a":1}\n' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('{"a":1}\n');
      expect(JSON.parse(r.stderr).records).toBe(1);
    });
  });

  it('on SIGTERM records what was read and marks the session interrupted', async () => {
    const { child, done } = originAsync(['ingest', '--json', '--format', 'text', '--tee'], {
      cwd: dir,
    });
    // The lines coming back through --tee show the ingest is running (its handlers are set).
    let passed = '';
    const through = new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        passed += chunk.toString();
        if (passed === 'one\ntwo\nthree\n') resolve();
      }),
    );
    child.stdin?.write('one\ntwo\nthree\n');
    await through;
    child.kill('SIGTERM');
    const r = await done;
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stderr.slice(r.stderr.indexOf('{')));
    expect(summary).toMatchObject({ interrupted: true, records: 3, session_status: 'interrupted' });
    const d = await openDb(db());
    expect(
      rows<{ status: string; record_count: number }>(
        d,
        'SELECT status, record_count FROM sessions',
      ),
    ).toEqual([{ status: 'interrupted', record_count: 3 }]);
  });

  it('leaves the store as it was when killed with SIGKILL', async () => {
    ingestJson(['--format', 'text'], 'before\n');
    const before = readFileSync(db());
    const { child, done } = originAsync(['ingest', '--format', 'text', '--tee'], {
      cwd: dir,
      env: { ORIGIN_LOCK_TIMEOUT: '1' },
    });
    // Killed once it has read the lines (they came back through --tee), before any checkpoint.
    const through = new Promise((resolve) => child.stdout?.once('data', resolve));
    child.stdin?.write('one\ntwo\n');
    await through;
    child.kill('SIGKILL');
    await done;
    expect(readFileSync(db()).equals(before)).toBe(true);
  });
});
