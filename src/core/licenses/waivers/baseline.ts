/**
 * A baseline: the findings of an earlier `origin conflicts --json`, so that CI fails only on
 * findings that are new. A finding is known when the baseline has one of the same rule on the same
 * licenses whose sources include all of its sources (a new source with the same problem is new).
 * Session ids are not compared: each training run records a new session.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors';

interface KnownFinding {
  sources: ReadonlySet<string>;
}

export class Baseline {
  private constructor(
    readonly file: string,
    private readonly known: ReadonlyMap<string, readonly KnownFinding[]>,
  ) {}

  /** Reads a baseline file: the JSON `origin conflicts --json` printed. */
  static load(file: string): Baseline {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        `cannot read the baseline ${file}: ${code === 'ENOENT' ? 'not found' : (err as Error).message}`,
        'pass the file a previous `origin conflicts --json > FILE` wrote',
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new UsageError(
        `the baseline ${file} is not JSON: ${(err as Error).message}`,
        'pass the file a previous `origin conflicts --json > FILE` wrote',
      );
    }
    return Baseline.from(file, data);
  }

  /** A baseline from a parsed report; a UsageError naming the first entry that is not a finding. */
  static from(file: string, data: unknown): Baseline {
    const notReport = (what: string): UsageError =>
      new UsageError(
        `the baseline ${file} is not an \`origin conflicts --json\` report: ${what}`,
        'pass the file a previous `origin conflicts --json > FILE` wrote',
      );
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw notReport('expected a JSON object');
    }
    const report = data as Record<string, unknown>;
    const known = new Map<string, KnownFinding[]>();
    for (const list of ['conflicts', 'warnings'] as const) {
      const entries = report[list];
      if (!Array.isArray(entries)) throw notReport(`"${list}" is not a list`);
      entries.forEach((entry: unknown, i) => {
        const e = entry as Record<string, unknown> | null;
        const strings = (v: unknown): v is string[] =>
          Array.isArray(v) && v.every((x) => typeof x === 'string');
        if (
          typeof e !== 'object' ||
          e === null ||
          typeof e.rule !== 'string' ||
          !strings(e.licenses) ||
          !strings(e.sources)
        ) {
          throw notReport(`${list}[${i}] lacks a rule, licenses or sources`);
        }
        const key = findingKey(e.rule, e.licenses);
        known.set(key, [...(known.get(key) ?? []), { sources: new Set(e.sources) }]);
      });
    }
    return new Baseline(file, known);
  }

  /** True when the baseline had this finding (see the top of this file). */
  has(finding: { rule: string; licenses: readonly string[]; sources: readonly string[] }): boolean {
    const candidates = this.known.get(findingKey(finding.rule, finding.licenses)) ?? [];
    return candidates.some((k) => finding.sources.every((s) => k.sources.has(s)));
  }
}

function findingKey(rule: string, licenses: readonly string[]): string {
  return `${rule}\u0000${licenses.join('\u0000')}`;
}
