import { OriginCommand } from '../base-command';
import { SCHEMA_VERSION } from '../core/store/schema';

export default class Version extends OriginCommand<typeof Version> {
  static override summary = 'Print the origin version, its database schema version and runtime.';
  static override examples = [
    '<%= config.bin %> version',
    '<%= config.bin %> version --json',
    '<%= config.bin %> --version',
  ];

  public async run(): Promise<void> {
    const info = {
      version: this.config.version,
      schema_version: SCHEMA_VERSION,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
    this.output(
      info,
      () =>
        `origin ${info.version} (schema v${info.schema_version}, node ${info.node}, ${info.platform})`,
    );
  }
}
