import { spawnSync } from 'node:child_process';
import { ROOT } from './cli';

// micromark is ESM-only; render in a child Node process rather than teaching jest ESM.
const RENDER = `
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
let md = '';
for await (const chunk of process.stdin) md += chunk;
process.stdout.write(micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] }));
`;

/** GitHub-flavoured Markdown → HTML, by micromark with its GFM extension. */
export function renderGfm(markdown: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', RENDER], {
    cwd: ROOT,
    input: markdown,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`micromark failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** The text of an HTML fragment: tags dropped, the entities micromark writes decoded. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]);
}

/** The rows of every HTML table, as the text of their cells. */
export function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => htmlText(c[1])),
  );
}
