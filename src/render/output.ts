import type { SessionWriter } from '../core/sessions/writers';
import chalk from 'chalk';
import { count } from '../core/reports/markdown';

/** Colour only on a TTY, never under NO_COLOR or --json (SPEC.md §5). */
export function configureColor(json: boolean, env: NodeJS.ProcessEnv = process.env): void {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  if (json || noColor || !process.stdout.isTTY) chalk.level = 0;
}

/** Exactly one JSON document, as --json prints it. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** 1234567 → "1,234,567". */
export const formatCount = count;

/** "label: value" lines with aligned values. */
export function keyValueLines(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${chalk.bold(`${k}:`.padEnd(width + 1))} ${v}`).join('\n');
}

/** One writer of a session, and what to do when it died. */
export function describeWriter(w: SessionWriter, sessionId: string): string {
  const who = `pid ${w.pid} on ${w.host}, last checkpoint ${w.checkpoint_at}`;
  if (w.alive === true) return `ingest running (${who})`;
  if (w.alive === false) {
    return `ingest died (${who}); close the session with \`origin session end ${sessionId.slice(0, 12)} --status interrupted\``;
  }
  return `ingest on another host (${who})`;
}
