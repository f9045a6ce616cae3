/** Small Markdown helpers shared by the card and the Markdown exports. */

const cell = (text: string | number): string =>
  String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A GitHub-flavoured Markdown table, as lines; pipes and newlines in cells are escaped. */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** 1234567 → "1,234,567", the same in every locale. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** 0.1234 → "12.3%". */
export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
