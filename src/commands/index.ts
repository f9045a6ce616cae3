/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point of this file */
// Explicit command discovery (oclif "explicit" strategy), so a bundler can see every command.
// Each command module loads only when oclif asks for that command (it reads one property of this
// object per run, the manifest lists them), so `origin ingest` never loads the export, card or
// license modules and their dependencies.
import type { Command } from '@oclif/core';

function lazy(
  loaders: Record<string, () => Command.Class>,
): Readonly<Record<string, Command.Class>> {
  const commands: Record<string, Command.Class> = {};
  for (const [id, load] of Object.entries(loaders)) {
    let loaded: Command.Class | undefined;
    Object.defineProperty(commands, id, { enumerable: true, get: () => (loaded ??= load()) });
  }
  return commands;
}

// @oclif/plugin-autocomplete's entry exports no commands (oclif loads a plugin's command files by
// path, and its package.json `exports` hides them), so they are required here by file. esbuild
// bundles them into dist/origin.cjs, which is what bin/run.js and the executable run; so the plugin
// is a devDependency, and these paths resolve only in this repository (bin/dev.js, the manifest).
export const commands = lazy({
  autocomplete: () =>
    require('../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js')
      .default,
  'autocomplete:create': () =>
    require('../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js')
      .default,
  'autocomplete:script': () =>
    require('../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js')
      .default,
  card: () => require('./card').default,
  conflicts: () => require('./conflicts').default,
  diff: () => require('./diff').default,
  export: () => require('./export').default,
  help: () => (require('@oclif/plugin-help') as typeof import('@oclif/plugin-help')).commands.help,
  ingest: () => require('./ingest').default,
  init: () => require('./init').default,
  inspect: () => require('./inspect').default,
  'licenses:check': () => require('./licenses/check').default,
  'licenses:list': () => require('./licenses/list').default,
  'licenses:show': () => require('./licenses/show').default,
  'lineage:list': () => require('./lineage/list').default,
  'lineage:record': () => require('./lineage/record').default,
  'lineage:trace': () => require('./lineage/trace').default,
  'lineage:verify': () => require('./lineage/verify').default,
  prove: () => require('./trust/prove').default,
  query: () => require('./query').default,
  'session:end': () => require('./session/end').default,
  'session:start': () => require('./session/start').default,
  sessions: () => require('./sessions').default,
  status: () => require('./status').default,
  trace: () => require('./trust/trace').default,
  verify: () => require('./trust/verify').default,
  'verify-proof': () => require('./trust/verify-proof').default,
  version: () => require('./version').default,
});
