import { Args, Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { LineageTrace as EventTrace, traceEvent } from '../../core/lineage';
import { jsonDocument } from '../../render/output';
import { renderTraceTree } from '../../render/lineage';

export default class LineageTrace extends OriginCommand<typeof LineageTrace, EventTrace> {
  static override summary =
    'Show every path from a lineage event back to its roots, down to the sessions behind datasets.';
  static override description = `The event comes first, its parents below it, as a tree. An event reached again by another
path is shown once more but its ancestors only at the first occurrence. A dataset event linked to a
session shows that session (status, records, root). With --json the tree is nested
(parent_events); with --list it is a flat list, each event once, leaf first, with its depth.`;

  static override examples = [
    '<%= config.bin %> lineage trace 5d41402a',
    '<%= config.bin %> lineage trace 5d41402a --json',
    "<%= config.bin %> lineage trace 5d41402a --json --list | jq -r '.[] | select(.session) | .session.session_id'",
  ];

  static override args = {
    hash: Args.string({
      description: 'Event hash or a unique prefix (8+ hex characters).',
      required: true,
    }),
  };

  static override flags = {
    list: Flags.boolean({
      summary: 'Flat list (each event once, leaf first, with depth) instead of a tree.',
      default: false,
    }),
  };

  public async run(): Promise<EventTrace> {
    return this.withStore('read', (store) => traceEvent(store, this.args.hash));
  }

  /** The nested tree, or with --list the flat list. */
  protected override renderJson(trace: EventTrace): string {
    return jsonDocument(this.flags.list ? trace.events : trace.tree);
  }

  protected override render(trace: EventTrace): string {
    if (!this.flags.list) return renderTraceTree(trace.tree);
    return trace.events
      .map((e) => `${'  '.repeat(e.depth)}${e.type} ${e.hash}  ${e.timestamp}`)
      .join('\n');
  }
}
