import type { Interfaces } from '@oclif/core';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundledPlugin } from '../../src/bundled-plugin';
import { commands } from '../../src/commands';
import { ROOT } from '../helpers/cli';

// How the bundle hands its commands to oclif (src/cli-entry.ts): through oclif's public
// Interfaces.Plugin and Config.load, with the manifest `npm run build` writes.
describe('BundledPlugin', () => {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
  const pjson = read('package.json') as Interfaces.PJSON;
  const manifest = read('oclif.manifest.json') as Interfaces.Manifest;

  it('lists every command of the manifest, and loads its class', async () => {
    const plugin = new BundledPlugin(ROOT, pjson, manifest, commands);
    expect(plugin.commandIDs).toEqual(Object.keys(commands));
    expect(plugin.commands.map((c) => c.id)).toEqual(Object.keys(commands));
    const status = plugin.commands.find((c) => c.id === 'status');
    expect(status?.pluginName).toBe(pjson.name);
    const loaded = await status?.load();
    expect(loaded).toBe(commands.status);
    expect(loaded?.id).toBe('status');
    expect(plugin.findCommand('nope')).toBeUndefined();
    await expect(plugin.findCommand('nope', { must: true })).rejects.toThrow('nope');
  });

  it('names the topics of package.json', () => {
    const plugin = new BundledPlugin(ROOT, pjson, manifest, commands);
    expect(plugin.topics.map((t) => t.name)).toEqual(['session', 'licenses', 'lineage']);
    expect(plugin.topics[0].description).toBe(pjson.oclif.topics?.session.description);
  });

  it('refuses a manifest that does not match the commands (a stale build)', () => {
    const extra = {
      ...manifest,
      commands: { ...manifest.commands, extra: manifest.commands.init },
    };
    expect(() => new BundledPlugin(ROOT, pjson, extra, commands)).toThrow(/\(extra\)/);
    const fewer = { ...manifest.commands };
    delete fewer.init;
    expect(
      () => new BundledPlugin(ROOT, pjson, { ...manifest, commands: fewer }, commands),
    ).toThrow(/\(init\)/);
  });

  // In a node of its own: oclif's Config.load imports ESM modules, which jest's CJS runtime cannot.
  it('is the root plugin of an oclif Config, which finds nothing else', () => {
    const script = `
      const { Config } = require('@oclif/core');
      const { BundledPlugin } = require('./dist/bundled-plugin');
      const { commands } = require('./dist/commands');
      const pjson = require('./package.json');
      const plugin = new BundledPlugin(process.cwd(), pjson, require('./oclif.manifest.json'), commands);
      Config.load({ root: process.cwd(), pjson, plugins: new Map([[plugin.name, plugin]]) }).then((config) => {
        const found = config.findCommand('lineage:record');
        console.log(JSON.stringify({
          plugins: config.getPluginsList().map((p) => p === plugin),
          ids: config.commandIDs,
          found: found && found.pluginName,
          topics: config.topics.map((t) => t.name),
        }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const loaded = JSON.parse(r.stdout);
    expect(loaded.plugins).toEqual([true]);
    expect([...loaded.ids].sort()).toEqual(Object.keys(commands).sort());
    expect(loaded.found).toBe(pjson.name);
    expect(loaded.topics).toEqual(expect.arrayContaining(['session', 'licenses', 'lineage']));
  });
});
