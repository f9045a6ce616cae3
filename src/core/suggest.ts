// Did-you-mean for mistyped commands and flags: the nearest candidates by edit distance.
import { get as editDistance } from 'fast-levenshtein';

/**
 * The candidates closest to `word`: those starting with it (`ver` → verify, verify-proof, version),
 * else those within a third of its length in edits (at least 2, so `inpsect` → inspect). Nearest
 * first; empty when nothing is close enough to be a plausible typo.
 */
export function suggestions(word: string, candidates: readonly string[]): string[] {
  const w = word.toLowerCase();
  if (w.length === 0) return [];
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w));
  if (prefixed.length > 0) return [...prefixed].sort();
  const limit = Math.max(2, Math.floor(w.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(w, c.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .map(({ c }) => c);
}

/** " Did you mean X?" / " Did you mean X or Y?", or "" when there is nothing to suggest. */
export function didYouMean(
  word: string,
  candidates: readonly string[],
  format = (s: string) => s,
): string {
  const near = suggestions(word, candidates).slice(0, 3).map(format);
  if (near.length === 0) return '';
  const list =
    near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near[near.length - 1]}`;
  return ` Did you mean ${list}?`;
}
