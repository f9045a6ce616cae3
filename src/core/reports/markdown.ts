/**
 * Small Markdown helpers shared by the card and the Markdown exports. Every string that comes
 * from the records (source names, licenses, metadata, lineage payloads) goes through `text` or
 * `code` before it is placed in Markdown, so it renders as the characters it is and never as
 * HTML, a link, an image, a heading or another table row.
 */

/** Characters that would end a line or are invisible: shown as `\u000a`-style escapes. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/**
 * The ASCII punctuation that can start Markdown or GFM syntax anywhere in a line: HTML and
 * entities, links and images, code, emphasis, strikethrough, escapes, and the `.`, `:` and `@`
 * of GFM's bare `www.`, `http://` and e-mail autolinks. `|` is left to `markdownTable`.
 */
const PUNCTUATION = /[\\`*_{}[\]()#!<>&~.:@]/g;
/** At the start of a string, a list marker (`-`, `+`) would open a list after a `- ` item. */
const LEADING = /^[-+]/;

const visibleControl = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A string as literal Markdown text: that punctuation backslash-escaped (so no `<tag>`,
 * `[link](url)`, autolink, emphasis, code or block marker survives), line breaks and other
 * control characters shown as `\u000a`. Pipes are left to `markdownTable`, which escapes them
 * in cells; outside a table a pipe is plain text.
 */
export function text(value: string | number): string {
  return String(value)
    .replace(PUNCTUATION, '\\$&')
    .replace(LEADING, '\\$&')
    .replace(CONTROL_CHARACTERS, visibleControl);
}

/**
 * A string as an inline code span: the fence is one backtick longer than the longest run of
 * backticks inside, with a space of padding where the content starts or ends with a backtick;
 * control characters are shown as `\u000a`. Inside code, HTML and links are text already.
 */
export function code(value: string): string {
  const content = value.replace(CONTROL_CHARACTERS, visibleControl);
  if (content === '') return '(empty)';
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** Pipes end a GFM table cell, even inside code spans: escape them (GFM unescapes them there). */
const cell = (content: string | number): string =>
  String(content).replace(/\|/g, '\\|').replace(CONTROL_CHARACTERS, visibleControl);

/**
 * A GitHub-flavoured Markdown table, as lines. Cells are Markdown already (built with `text` and
 * `code`); the table escapes their pipes and shows control characters, so no cell can end early
 * or start a new row.
 */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string[] {
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/**
 * 1234567 → "1,234,567", the same in every locale: what toLocaleString('en-US') gives, without
 * the ~15 ms its first call takes to load ICU's number formats (left to numbers that are not
 * safe integers).
 */
export function count(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

/** 0.1234 → "12.3%". */
export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
