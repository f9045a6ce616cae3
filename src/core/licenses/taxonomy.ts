import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OriginError, UsageError } from '../errors';
import { buildTaxonomy } from './taxonomy-build';
import { readWaivers } from './waivers/waivers';
import { readLayer } from './taxonomy-read';
import { License, Taxonomy } from './types';
import { YamlSnapshot, YamlSource } from './yaml-source';

export interface LoadTaxonomyOptions {
  /** The taxonomy's YAML text (a single-file bundle embeds it); `path` then only labels messages. */
  text?: string;
  /** The taxonomy file; default: licenses.yaml at the package root (defaultTaxonomyPath()). */
  path?: string;
  /** A project's own file on top of the taxonomy: adds or overrides licenses, rules, … */
  overlayPath?: string;
  /** The overlay's YAML text; `overlayPath` then only labels messages. */
  overlayText?: string;
  /** The base taxonomy already parsed (a single-file bundle embeds it); replaces text and path. */
  snapshot?: YamlSnapshot;
}

/**
 * licenses.yaml at the package root. This module is src/core/licenses/taxonomy.ts or, built,
 * dist/core/licenses/taxonomy.js: three levels below the root either way.
 */
export function defaultTaxonomyPath(): string {
  return path.resolve(__dirname, '..', '..', '..', 'licenses.yaml');
}

/** Where `npm run build` leaves the parsed built-in taxonomy (scripts/taxonomy-snapshot.js). */
export function defaultSnapshotPath(): string {
  return path.resolve(__dirname, '..', '..', '..', 'dist', 'licenses.snapshot.json');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The built-in taxonomy from its build-time snapshot when that was made from exactly this
 * licenses.yaml (same SHA-256): parsing the YAML is most of the cost of loading it.
 */
function defaultBase(): YamlSource | undefined {
  const snapshotPath = defaultSnapshotPath();
  const yamlPath = defaultTaxonomyPath();
  if (!existsSync(snapshotPath) || !existsSync(yamlPath)) return undefined;
  try {
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as YamlSnapshot;
    if (snapshot.sha256 !== sha256Hex(readFileSync(yamlPath, 'utf8'))) return undefined;
    return YamlSource.fromSnapshot({ ...snapshot, label: yamlPath });
  } catch {
    return undefined; // an unreadable snapshot only costs the YAML parse
  }
}

/** Loads, validates and merges the taxonomy (and an optional overlay). Pure apart from reading files. */
export function loadTaxonomy(options: LoadTaxonomyOptions = {}): Taxonomy {
  const builtIn = options.text === undefined && options.path === undefined;
  const base =
    (options.snapshot && YamlSource.fromSnapshot(options.snapshot)) ??
    (builtIn ? defaultBase() : undefined) ??
    readSource(options.text, options.path, 'licenses.yaml (embedded)', true);
  const layers = [readLayer(base, false)];
  if (options.overlayText === undefined && options.overlayPath === undefined) {
    return buildTaxonomy(layers);
  }
  const overlay = readSource(options.overlayText, options.overlayPath, 'overlay (embedded)', false);
  layers.push(readLayer(overlay, true));
  const taxonomy = buildTaxonomy(layers);
  return { ...taxonomy, waivers: readWaivers(overlay, taxonomy) };
}

/** The license for an id or alias (any case), or undefined. */
export function findLicense(taxonomy: Taxonomy, idOrAlias: string): License | undefined {
  const id = taxonomy.licenses.has(idOrAlias)
    ? idOrAlias
    : taxonomy.lookup.get(idOrAlias.toLowerCase());
  return id === undefined ? undefined : taxonomy.licenses.get(id);
}

/** The license for an id or alias; a UsageError when the taxonomy does not list it. */
export function getLicense(taxonomy: Taxonomy, idOrAlias: string): License {
  const license = findLicense(taxonomy, idOrAlias);
  if (!license) throw new UsageError(`license "${idOrAlias}" is not in the taxonomy`);
  return license;
}

function readSource(
  text: string | undefined,
  file: string | undefined,
  fallbackLabel: string,
  isBase: boolean,
): YamlSource {
  if (text !== undefined) return YamlSource.parse(text, file ?? fallbackLabel);
  const target = file ?? defaultTaxonomyPath();
  let content: string;
  try {
    content = readFileSync(target, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(err);
    const message = `cannot read license ${isBase ? 'taxonomy' : 'overlay'} ${target}: ${reason}`;
    if (isBase && file === undefined) {
      throw new OriginError(
        message,
        undefined,
        'The installation is incomplete: licenses.yaml ships next to the package.',
      );
    }
    throw new UsageError(message, 'Check the path.');
  }
  return YamlSource.parse(content, target);
}
