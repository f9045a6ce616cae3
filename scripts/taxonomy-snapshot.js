#!/usr/bin/env node
// Writes dist/licenses.snapshot.json: licenses.yaml parsed and validated once at build time, with
// the line of every entry, so commands skip the YAML parse (src/core/licenses/taxonomy.ts uses it
// only while its SHA-256 matches licenses.yaml). Run by `npm run build`.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { YamlSource } = require('../dist/core/licenses/yaml-source');
const { loadTaxonomy, sha256Hex } = require('../dist/core/licenses/taxonomy');

const root = join(__dirname, '..');
const yamlPath = join(root, 'licenses.yaml');
const text = readFileSync(yamlPath, 'utf8');
// Validate first: a broken licenses.yaml must fail the build, not be snapshotted.
const taxonomy = loadTaxonomy({ text, path: yamlPath });
const snapshot = YamlSource.parse(text, 'licenses.yaml').toSnapshot(sha256Hex(text));
writeFileSync(join(root, 'dist', 'licenses.snapshot.json'), JSON.stringify(snapshot));
console.log(
  `dist/licenses.snapshot.json: ${taxonomy.licenses.size} licenses, ${taxonomy.rules.length} rules`,
);
