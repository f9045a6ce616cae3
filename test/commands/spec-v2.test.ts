import { join } from 'node:path';
import { origin, tempDir } from '../helpers/cli';
import { V2Vectors, readVector } from '../helpers/vectors';

const v2 = readVector<V2Vectors>('v2.json');

/** vectors/v2.json through the real CLI: what an auditor's independent tool computes. */
describe('SPEC v2 vectors through the CLI', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let session: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-v2-'));
    db = join(dir, 'origin.db');
    const input = v2.session.texts
      .map((text, i) => {
        const [source, license] = v2.session.origins[i];
        // A record given no license is recorded as `unknown` (SPEC §2.1).
        return JSON.stringify(license === 'unknown' ? { text, source } : { text, source, license });
      })
      .join('\n');
    const r = origin(
      [
        'ingest',
        '--path',
        db,
        '--content-field',
        'text',
        '--source-field',
        'source',
        '--license-field',
        'license',
        '--json',
      ],
      { cwd: dir, input },
    );
    expect(r.status).toBe(0);
    session = JSON.parse(r.stderr.trim() || r.stdout).session_id;
  });
  afterAll(() => cleanup());

  it('records the session root and the origins root of §2.1', () => {
    const r = origin(['inspect', session, '--path', db, '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.session_root).toBe(v2.session.root);
    expect(report.origins_root).toBe(v2.session.origins_root);
  });
});
