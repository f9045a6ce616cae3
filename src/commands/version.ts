import { OriginCommand } from '../base-command';
import { SCHEMA_VERSION } from '../core/store/schema';

interface VersionInfo {
  version: string;
  schema_version: number;
  node: string;
  platform: string;
}

export default class Version extends OriginCommand<typeof Version, VersionInfo> {
  static override summary = 'Print the origin version, its database schema version and runtime.';
  static override examples = [
    '<%= config.bin %> version',
    '<%= config.bin %> version --json',
    '<%= config.bin %> --version',
  ];

  public async run(): Promise<VersionInfo> {
    return {
      version: this.config.version,
      schema_version: SCHEMA_VERSION,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
  }

  protected override render(info: VersionInfo): string {
    return `origin ${info.version} (schema v${info.schema_version}, node ${info.node}, ${info.platform})`;
  }
}
