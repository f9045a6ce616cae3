import { formatCount } from './output';

/** A one-line progress counter on stderr, redrawn at most every 200 ms; only on a TTY. */
export class ProgressLine {
  private last = 0;
  private drawn = false;

  constructor(private readonly enabled: boolean) {}

  update(records: number, inputBytes: number, elapsedMs: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const seconds = Math.max(elapsedMs, 1) / 1000;
    const line =
      `  ${formatCount(records)} records · ${(inputBytes / 1e6).toFixed(1)} MB · ` +
      `${formatCount(Math.round(records / seconds))} records/s`;
    process.stderr.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write('\r\u001b[K');
    this.drawn = false;
  }
}
