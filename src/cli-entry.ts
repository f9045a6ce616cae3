/* eslint-disable @typescript-eslint/no-require-imports -- load order is the point of this file */
// Entry point of the bundled CLI, dist/origin.cjs (scripts/bundle.js): bin/run.js runs it with a V8
// code cache, and the single-file executable carries it. No module is loaded from dist/ at run
// time: oclif gets the package.json fields inlined at bundle time and the command classes handed
// over (lazily, see commands/index.ts) instead of require()ing dist/commands/index.js.
import type { Interfaces, Plugin as OclifPlugin } from '@oclif/core';
import { dirname, join } from 'node:path';
import { compareCodeUnits } from './core/compare';

/** Replaced by esbuild `define` with the package.json fields oclif needs. */
declare const ORIGIN_PJSON: Interfaces.PJSON;

function isSingleExecutable(): boolean {
  try {
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false; // no node:sea on this Node version
  }
}

async function main(): Promise<void> {
  const { execute, Plugin } = require('@oclif/core') as typeof import('@oclif/core');
  const { commands } = require('./commands') as typeof import('./commands');
  const pjson = ORIGIN_PJSON;
  const sea = isSingleExecutable();
  // The package root (dist/..) for an install; beside the executable for the single file, which
  // has no oclif.manifest.json: its manifest is built from the classes.
  const root = sea ? dirname(process.execPath) : join(__dirname, '..');
  const plugin: OclifPlugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: sea });
  // The explicit strategy would require() its target file; pre-seeding the plugin's (private)
  // command cache makes it use the bundled classes instead (@oclif/core 4.14).
  Object.assign(plugin, { commandCache: commands });
  await loadWithoutCollator(plugin);
  if (plugin.commands.length !== Object.keys(commands).length) {
    throw new Error(
      `oclif loaded ${plugin.commands.length} commands, expected ${Object.keys(commands).length}`,
    );
  }
  // Handing oclif the loaded root plugin also skips user/dev/core plugin discovery (no disk reads).
  await execute({ loadOptions: { root, pjson, plugins: new Map([[plugin.name, plugin]]) } });
}

/**
 * plugin.load(), minus its one call to localeCompare, whose first use builds an ICU collator: 6-9 ms
 * of every start. load() sorts the manifest's commands by id with it; our ids are ASCII, which
 * code-unit order sorts the same (a test checks). So load() is handed the manifest without its
 * commands (the plugin's private _manifest, @oclif/core 4.14), and they are added as load() would.
 */
async function loadWithoutCollator(plugin: OclifPlugin): Promise<void> {
  type ManifestReader = { _manifest(): Promise<OclifPlugin['manifest']> };
  const readManifest = (plugin as unknown as ManifestReader)._manifest.bind(plugin);
  let manifest: OclifPlugin['manifest'] | undefined;
  const held: ManifestReader = {
    async _manifest() {
      manifest = await readManifest();
      return { ...manifest, commands: {} };
    },
  };
  Object.assign(plugin, held);
  try {
    await plugin.load();
  } finally {
    delete (plugin as unknown as Partial<ManifestReader>)._manifest;
  }
  if (!manifest) throw new Error('oclif loaded the plugin without reading its manifest');
  plugin.manifest = manifest;
  plugin.commands = Object.entries(manifest.commands)
    .map(([id, command]) => ({
      ...command,
      load: async () => plugin.findCommand(id, { must: true }),
      pluginAlias: plugin.alias,
      pluginType: command.pluginType === 'jit' ? 'jit' : plugin.type,
    }))
    .sort((a, b) => compareCodeUnits(a.id, b.id));
}

// execute() reports its own errors; this catches a failure to load the commands.
main().catch((err: Error) => require('@oclif/core').handle(err));
