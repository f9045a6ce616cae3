// Writes oclif.manifest.json from the built commands (what `oclif manifest` does, without its dependencies).
const { rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Config } = require('@oclif/core');

async function main() {
  const root = join(__dirname, '..');
  // A stale manifest would be read back instead of the commands; start from none.
  rmSync(join(root, 'oclif.manifest.json'), { force: true });
  const config = await Config.load({ root, ignoreManifest: true });
  const manifest = config.getPluginsList().find((p) => p.root === root).manifest;
  writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`oclif.manifest.json: ${Object.keys(manifest.commands).length} commands`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
