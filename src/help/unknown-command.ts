// A first word that is neither a command nor a topic is a usage error with a suggestion, before
// oclif would say "command inpsect:800d01 not found".
import { UsageError } from '../core/errors';
import { didYouMean } from '../core/suggest';

/** What the CLI has: command ids ("licenses:list") and topic names ("licenses"). */
export interface CommandIndex {
  commandIDs: readonly string[];
  topics: readonly string[];
}

/**
 * The usage error for argv when its leading words name no command (`origin inpsect 800d01`,
 * `origin licenses lst`, `origin help inpsect`), else undefined: oclif runs it, or shows the
 * topic's help for a topic alone.
 */
export function unknownCommand(
  argv: readonly string[],
  { commandIDs, topics }: CommandIndex,
): UsageError | undefined {
  const index = { commandIDs: [...new Set(commandIDs)], topics: [...new Set(topics)] };
  const helpFor = argv[0] === 'help';
  const words = leadingWords(helpFor ? argv.slice(1) : argv);
  if (words.length === 0) return undefined;
  for (let k = words.length; k >= 1; k--) {
    if (index.commandIDs.includes(words.slice(0, k).join(':'))) return undefined;
  }
  const [first] = words;
  const spaced = (id: string): string => id.replace(/:/g, ' ');
  const quote = (s: string): string => `\`origin ${s}\``;
  if (index.topics.includes(first)) {
    if (words.length === 1) return undefined;
    const inTopic = index.commandIDs
      .filter((id) => id.startsWith(`${first}:`))
      .map((id) => id.slice(first.length + 1));
    const asked = `${first} ${words[1]}`;
    return new UsageError(
      `\`${asked}\` is not an origin command.${didYouMean(words[1], inTopic, (c) => quote(`${first} ${c}`))}`,
      `the ${first} commands: ${inTopic.join(', ')}; see \`origin help ${first}\``,
    );
  }
  const topLevel = [
    ...new Set([...index.commandIDs, ...index.topics].filter((id) => !id.includes(':'))),
  ];
  const what = helpFor
    ? `there is no command \`${first}\` to show help for`
    : `\`${first}\` is not an origin command`;
  return new UsageError(
    `${what}.${didYouMean(first, topLevel, (c) => quote(spaced(c)))}`,
    'run `origin help` for the list of commands',
  );
}

/** The words before the first flag (a command id's parts, then its arguments). */
function leadingWords(argv: readonly string[]): string[] {
  const end = argv.findIndex((a) => a.startsWith('-'));
  return [...(end < 0 ? argv : argv.slice(0, end))];
}
