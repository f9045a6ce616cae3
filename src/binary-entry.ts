// Entry point of the single-file executable: bundled by scripts/build-binary.js, not run from dist/.
// A normal install lets oclif read package.json and require() dist/commands/index.js from disk; the
// executable has neither, so the package.json fields are inlined at bundle time and the commands
// are handed to oclif directly.
import { execute, handle, Interfaces, Plugin } from '@oclif/core';
import { dirname } from 'node:path';
import { commands } from './commands';

/** Replaced by esbuild `define` with the package.json fields oclif needs. */
declare const ORIGIN_PJSON: Interfaces.PJSON;

async function main(): Promise<void> {
  const pjson = ORIGIN_PJSON;
  const root = dirname(process.execPath);
  // ignoreManifest: build the manifest from the classes, never from an oclif.manifest.json on disk.
  const plugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: true });
  // The explicit strategy would require() its target file; pre-seeding the plugin's (private)
  // command cache makes it use the bundled classes instead (@oclif/core 4.14).
  Object.assign(plugin, { commandCache: commands });
  await plugin.load();
  if (plugin.commands.length !== Object.keys(commands).length) {
    throw new Error(
      `binary: oclif loaded ${plugin.commands.length} commands, expected ${Object.keys(commands).length}`,
    );
  }
  // Handing oclif the loaded root plugin also skips user/dev/core plugin discovery (no disk reads).
  await execute({ loadOptions: { root, pjson, plugins: new Map([[plugin.name, plugin]]) } });
}

// execute() reports its own errors; this catches a failure to load the commands.
main().catch(handle);
