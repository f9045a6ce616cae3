/* eslint-disable @typescript-eslint/no-require-imports -- load order is the point of this file */
// Entry point of the bundled CLI, dist/origin.cjs (scripts/bundle.js): bin/run.js runs it with a V8
// code cache, and the single-file executable carries it. No module is loaded from dist/ at run
// time: oclif gets the package.json fields and the command manifest inlined at bundle time, and the
// command classes (loaded lazily, see commands/index.ts) as a plugin of oclif's public
// Interfaces.Plugin (bundled-plugin.ts) instead of require()ing dist/commands/index.js.
import type { Interfaces } from '@oclif/core';
import { dirname, join } from 'node:path';

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
  const { Config, execute } = require('@oclif/core') as typeof import('@oclif/core');
  const { commands } = require('./commands') as typeof import('./commands');
  const { BundledPlugin } = require('./bundled-plugin') as typeof import('./bundled-plugin');
  // The manifest `npm run build` wrote (scripts/manifest.js) before it made the bundle: the
  // bundle carries it, as it carries the command classes.
  const manifest = require('../oclif.manifest.json') as Interfaces.Manifest;
  const pjson = ORIGIN_PJSON;
  // The package root (dist/..) for an install; beside the executable for the single file.
  const root = isSingleExecutable() ? dirname(process.execPath) : join(__dirname, '..');
  const plugin = new BundledPlugin(root, pjson, manifest, commands);
  // Handing oclif the root plugin also skips user/dev/core plugin discovery (no disk reads).
  const config = await Config.load({ root, pjson, plugins: new Map([[plugin.name, plugin]]) });
  const argv = process.argv.slice(2);
  const { isRootHelp, OriginHelp } =
    require('./help/root-help') as typeof import('./help/root-help');
  if (isRootHelp(argv)) {
    await new OriginHelp(config).showHelp([]);
    return;
  }
  const { unknownCommand } =
    require('./help/unknown-command') as typeof import('./help/unknown-command');
  const unknown = unknownCommand(argv, {
    commandIDs: config.commandIDs,
    topics: config.topics.map((t) => t.name),
  });
  if (unknown) {
    const { printError } = require('./render/error') as typeof import('./render/error');
    const { configureColor } = require('./render/output') as typeof import('./render/output');
    configureColor(argv.includes('--json'));
    printError(
      { message: unknown.message, hint: unknown.hint, code: unknown.exitCode },
      { json: argv.includes('--json') },
    );
    return;
  }
  await execute({ args: argv, loadOptions: config });
}

// execute() reports its own errors; this catches a failure to load the commands.
main().catch((err: Error) => require('@oclif/core').handle(err));
