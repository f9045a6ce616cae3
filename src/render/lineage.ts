import chalk from 'chalk';
import { LineageFailure, TraceNode, eventSummary } from '../core/lineage';

/** How many hex characters of a hash people see (the full hash is in --json). */
export const SHORT_HASH = 16;

export function shortHash(hex: string): string {
  return hex.length > SHORT_HASH ? `${hex.slice(0, SHORT_HASH)}…` : hex;
}

/** The payload as `key=value` pairs with hashes shortened, for people. */
export function payloadSummary(event: Parameters<typeof eventSummary>[0]): string {
  return eventSummary(event, SHORT_HASH);
}

function eventLine(node: TraceNode): string {
  const head = `${chalk.bold(node.type)} ${chalk.yellow(shortHash(node.hash))}  ${chalk.dim(node.timestamp)}`;
  const summary = payloadSummary(node);
  return summary ? `${head}  ${summary}` : head;
}

/** A trace as a tree with box-drawing characters, leaf at the top, parents below. */
export function renderTraceTree(root: TraceNode): string {
  const lines: string[] = [eventLine(root)];
  const walk = (node: TraceNode, indent: string): void => {
    const children: { text: string; node?: TraceNode }[] = [];
    if (node.session) {
      const s = node.session;
      children.push({
        text: `${chalk.bold('session')} ${s.session_id}  ${s.status}, ${s.records} records, root ${shortHash(s.session_root)}`,
      });
    }
    for (const parent of node.parent_events) {
      children.push({
        text: parent.repeated
          ? `${eventLine(parent)}  ${chalk.dim('(ancestors shown above)')}`
          : eventLine(parent),
        node: parent.repeated ? undefined : parent,
      });
    }
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${child.text}`);
      if (child.node) walk(child.node, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  if (root.session || root.parent_events.length > 0) walk(root, '');
  return lines.join('\n');
}

/** Verification failures, one per line, naming the event. */
export function renderFailures(failures: readonly LineageFailure[]): string {
  return failures
    .map((f) => `${chalk.red('✗')} ${f.type ?? 'event'} ${f.event}: ${f.message}`)
    .join('\n');
}
