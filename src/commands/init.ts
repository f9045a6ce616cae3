import { OriginCommand, Rendering, notice } from '../base-command';
import { storeStatus } from '../core/store/status';

interface InitResult {
  created: boolean;
  path: string;
  schema_version: number;
  file_bytes: number;
}

export default class Init extends OriginCommand<typeof Init, InitResult> {
  static override summary = 'Create an Origin database.';
  static override description =
    'Creates an empty Origin database at --path (or $ORIGIN_DB_PATH, or ./origin.db). ' +
    'On an existing Origin database it says so and changes nothing; any other file is refused and left untouched.';
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --path data/provenance.db',
    'ORIGIN_DB_PATH=/var/lib/origin.db <%= config.bin %> init --json',
  ];

  public async run(): Promise<InitResult> {
    const result = await this.withStore('create', (store) => ({
      created: store.created,
      path: store.path,
      schema_version: store.schemaVersion,
    }));
    // Counts and size come from the file as written.
    const status = await this.withStore('read', (store) => storeStatus(store));
    return { ...result, file_bytes: status.file_bytes };
  }

  protected override render(result: InitResult): Rendering {
    return notice(
      result.created
        ? `Created Origin database ${result.path} (schema v${result.schema_version}).`
        : `Origin database ${result.path} already exists (schema v${result.schema_version}); nothing changed.`,
    );
  }
}
