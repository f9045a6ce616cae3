// The CLI's commands as an oclif plugin whose command classes are already in memory (the bundle
// holds them), for execute({loadOptions: {plugins}}). It implements oclif's public
// Interfaces.Plugin: oclif reads the commands' metadata from `commands` (built from the manifest
// that `npm run build` writes) and calls a command's load() only to run it, so nothing is read
// from disk or require()d to find the commands.
import type { Command, Interfaces } from '@oclif/core';

export class BundledPlugin implements Interfaces.Plugin {
  readonly _base: string;
  readonly alias: string;
  readonly name: string;
  readonly version: string;
  readonly options: Interfaces.PluginOptions;
  readonly commands: Command.Loadable[];
  readonly commandIDs: string[];
  readonly topics: Interfaces.Topic[];
  readonly commandsDir = undefined;
  readonly hasManifest = true;
  readonly hooks = {};
  readonly isRoot = true;
  readonly moduleType = 'commonjs';
  readonly type = 'core';
  readonly valid = true;

  /**
   * `manifest` describes `classes` (the same build made both): every id in one is in the other.
   */
  constructor(
    readonly root: string,
    readonly pjson: Interfaces.PJSON,
    manifest: Interfaces.Manifest,
    private readonly classes: Readonly<Record<string, Command.Class>>,
  ) {
    this.name = pjson.name;
    this.alias = pjson.name;
    this.version = pjson.version;
    this._base = `${pjson.name}@${pjson.version}`;
    this.options = { root, pjson, isRoot: true, name: pjson.name };
    this.commandIDs = Object.keys(manifest.commands);
    const missing = [
      ...this.commandIDs.filter((id) => !Object.hasOwn(classes, id)),
      ...Object.keys(classes).filter((id) => !Object.hasOwn(manifest.commands, id)),
    ];
    if (missing.length > 0) {
      throw new Error(
        `the command manifest and the bundled commands differ (${missing.join(', ')}): run \`npm run build\``,
      );
    }
    this.commands = this.commandIDs.map((id) => ({
      ...manifest.commands[id],
      load: async () => this.findCommand(id, { must: true }),
      pluginAlias: this.alias,
      pluginType: this.type,
    }));
    this.topics = topicList(pjson.oclif.topics ?? {});
  }

  /** Nothing to load: the commands are in memory. */
  async load(): Promise<void> {}

  findCommand(id: string, opts: { must: true }): Promise<Command.Class>;
  findCommand(id: string, opts?: { must: boolean }): Promise<Command.Class> | undefined;
  findCommand(id: string, opts?: { must: boolean }): Promise<Command.Class> | undefined {
    if (!Object.hasOwn(this.classes, id)) {
      return opts?.must ? Promise.reject(new Error(`command ${id} not found`)) : undefined;
    }
    const command = this.classes[id];
    command.id = id;
    command.plugin = this;
    return Promise.resolve(command);
  }
}

type Topics = NonNullable<Interfaces.OclifConfiguration['topics']>;

/** package.json's oclif.topics as a list, subtopics named "parent:child". */
function topicList(topics: Topics, parent?: string): Interfaces.Topic[] {
  return Object.entries(topics).flatMap(([key, { description, hidden, subtopics }]) => {
    const name = parent ? `${parent}:${key}` : key;
    return [{ name, description, hidden }, ...topicList(subtopics ?? {}, name)];
  });
}
