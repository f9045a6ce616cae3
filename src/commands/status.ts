import { OriginCommand } from '../base-command';
import { StoreStatus, storeStatus } from '../core/store/status';
import { formatBytes, formatCount, keyValueLines } from '../render/output';

export default class Status extends OriginCommand<typeof Status, StoreStatus> {
  static override summary = 'Show what the database holds.';
  static override description =
    'Prints the database path, schema version, file size and the counts of sessions, sources, ' +
    'licenses, samples (distinct contents), observations, batches and lineage events, and the ' +
    'store head {tree_size, root} (SPEC §2.4), which `origin verify --store-root R --store-size N` pins.';
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json --path run.db',
  ];

  public async run(): Promise<StoreStatus> {
    return this.withStore('read', (store) => storeStatus(store));
  }

  protected override render(status: StoreStatus): string {
    return keyValueLines([
      ['Database', status.path],
      ['Schema', `v${status.schema_version}`],
      ['File size', formatBytes(status.file_bytes)],
      ['Created', status.created_at ?? 'unknown'],
      ['Sessions', formatCount(status.counts.sessions)],
      ['Sources', formatCount(status.counts.sources)],
      ['Licenses', formatCount(status.counts.licenses)],
      ['Samples', formatCount(status.counts.samples)],
      ['Observations', formatCount(status.counts.observations)],
      ['Batches', formatCount(status.counts.batches)],
      ['Lineage events', formatCount(status.counts.events)],
      [
        'Store head',
        `tree_size ${status.store_head.tree_size}, root ${status.store_head.root}` +
          (status.store_log_backfilled > 0
            ? ` (the first ${status.store_log_backfilled} leaves back-filled by the schema upgrade)`
            : ''),
      ],
      ...status.writer_died.map((uid): [string, string] => [
        'Writer died',
        `session ${uid} is open, its ingest died; close it with \`origin session end ${uid.slice(0, 12)} --status interrupted\``,
      ]),
    ]);
  }
}
