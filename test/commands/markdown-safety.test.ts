import { origin, RECORD_FIELDS, tempDir } from '../helpers/cli';
import { renderGfm, tableRows } from '../helpers/markdown';

/** Source names an attacker could choose, and how each must read once rendered. */
const HOSTILE: [string, string][] = [
  ['<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
  ['[link](http://evil.example)', '[link](http://evil.example)'],
  ['![pixel](http://evil.example/p.png)', '![pixel](http://evil.example/p.png)'],
  ['first line\n| forged | row |', 'first line\\u000a| forged | row |'],
  ['pipe | in | name', 'pipe | in | name'],
  ['`tick` ``double``', '`tick` ``double``'],
  ['www.evil.example and http://evil.example', 'www.evil.example and http://evil.example'],
  ['# heading *em* _em_ ~~strike~~ &amp; \\', '# heading *em* _em_ ~~strike~~ &amp; \\'],
  ['- list item', '- list item'],
];

describe('Markdown outputs render recorded strings as text', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-md-safety-'));
    session = origin(['session', 'start', '--meta', 'model=<b>bold</b>'], {
      cwd: dir,
    }).stdout.trim();
    const records = HOSTILE.map(([source], i) => ({
      text: `sample ${i}`,
      source,
      license: i === 0 ? 'MIT' : i === 1 ? '<script>x</script>' : 'CC-BY-4.0',
    }));
    const r = origin(['ingest', '--session', session, ...RECORD_FIELDS], {
      cwd: dir,
      input: records.map((x) => JSON.stringify(x)).join('\n'),
    });
    expect(r.status).toBe(0);
    expect(origin(['session', 'end', session], { cwd: dir }).status).toBe(0);
  });
  afterAll(() => cleanup());

  const output = (args: string[]): string => {
    const r = origin(args, { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  const outputs: [string, string[]][] = [
    ['card', ['card']],
    ['hf', ['export', '--format', 'hf']],
    ['eu-ai-act', ['export', '--format', 'eu-ai-act']],
  ];

  it.each(outputs)('%s: no HTML, link or image comes from a source name', (_, args) => {
    const html = renderGfm(
      output([args[0], session, ...args.slice(1)]).replace(/^---\n[\s\S]*?\n---\n/, ''),
    );
    expect(html).not.toMatch(/<img|<script|<b>|<a |<h1>heading|<del>|<em>em/);
    const names = new Set(HOSTILE.map(([, shown]) => shown));
    const rows = tableRows(html);
    // Each hostile source is one row of the sources table, its first cell exactly the name.
    const sourceRows = rows.filter((cells) => names.has(cells[0]));
    expect(new Set(sourceRows.map((cells) => cells[0]))).toEqual(names);
    // Every row of a table has as many cells as its header: no name forged a row or a column.
    for (const table of html.split('<table>').slice(1)) {
      const [head, ...body] = tableRows(table.split('</table>')[0]);
      for (const cells of body) expect(cells).toHaveLength(head.length);
    }
  });

  it('card: metadata and licenses render as text too', () => {
    const html = renderGfm(output(['card', session]));
    const rows = tableRows(html);
    expect(rows).toContainEqual(['Metadata', 'model=<b>bold</b>']);
    expect(rows.some((cells) => cells.includes('<script>x</script>'))).toBe(true);
  });
});
