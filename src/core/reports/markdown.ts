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
