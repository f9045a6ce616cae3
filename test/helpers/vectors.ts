import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The normative test vectors live in ../shared/vectors beside the repository. */
export const VECTORS_DIR = [
  process.env.ORIGIN_VECTORS_DIR,
  resolve(__dirname, '../../../shared/vectors'),
  resolve(__dirname, '../../vendor-vectors'),
].find((dir): dir is string => dir !== undefined && existsSync(dir)) as string;

if (!VECTORS_DIR)
  throw new Error('SPEC vectors not found: set ORIGIN_VECTORS_DIR to shared/vectors');

export function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
}

export function jcsVectorNames(): string[] {
  return readdirSync(join(VECTORS_DIR, 'jcs'))
    .filter((f) => f.endsWith('.in.json'))
    .map((f) => f.slice(0, -'.in.json'.length));
}

export interface FingerprintVectors {
  samples: {
    line: string;
    jcs: string;
    fingerprint: string;
    content_field?: string;
    fingerprint_of_field?: string;
  }[];
  roots: { fingerprints: string[]; root: string }[];
}

export interface Rfc6962Vectors {
  leaf_inputs_hex: string[];
  root_by_tree_size: string[];
}
