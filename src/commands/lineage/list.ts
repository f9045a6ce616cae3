import { Flags } from '@oclif/core';
import { OriginCommand } from '../../base-command';
import { EVENT_TYPES, LineageEvent, listEvents } from '../../core/lineage';
import { payloadSummary, shortHash } from '../../render/lineage';
import { makeTable } from '../../render/table';

const DETAILS_WIDTH = 72;

export default class LineageList extends OriginCommand<typeof LineageList, LineageEvent[]> {
  static override summary = 'List lineage events, oldest recorded first.';
  static override examples = [
    '<%= config.bin %> lineage list',
    '<%= config.bin %> lineage list --type evaluation --json',
  ];

  static override flags = {
    type: Flags.string({ summary: 'Only events of this type.', options: [...EVENT_TYPES] }),
  };

  public async run(): Promise<LineageEvent[]> {
    return this.withStore('read', (store) => listEvents(store, { type: this.flags.type }));
  }

  protected override render(events: LineageEvent[]): string {
    if (events.length === 0) {
      return 'No lineage events yet. Record one with `origin lineage record`.';
    }
    const table = makeTable(['Hash', 'Type', 'Timestamp (UTC)', 'Parents', 'Details']);
    for (const e of events) {
      const details = payloadSummary(e);
      table.push([
        shortHash(e.hash),
        e.type,
        e.timestamp,
        e.parents.length,
        details.length > DETAILS_WIDTH ? `${details.slice(0, DETAILS_WIDTH - 1)}…` : details,
      ]);
    }
    return table.toString();
  }
}
