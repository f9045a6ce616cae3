/**
 * Source names and session metadata values matched by globs (picomatch syntax: `*` any run of
 * characters but `/`, `**` across `/`, `?`, `[…]`, `{a,b}`), for rules and waivers.
 */
import picomatch from 'picomatch';

/** A test that holds when the name matches any of the globs. */
export function globTest(globs: readonly string[]): (name: string) => boolean {
  const test = picomatch([...globs], { dot: true });
  return (name) => test(name);
}

/** True when every key of the rule's `session` is in the metadata with a matching value. */
export function sessionMatches(
  session: readonly { key: string; globs: readonly string[] }[] | undefined,
  metadata: Readonly<Record<string, string>>,
): boolean {
  if (!session) return true;
  return session.every(
    ({ key, globs }) =>
      Object.prototype.hasOwnProperty.call(metadata, key) && globTest(globs)(metadata[key]),
  );
}
