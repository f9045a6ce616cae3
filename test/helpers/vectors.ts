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

/** vectors/v2.json: SPEC §2.1, §2.2, §2.4 and §6, computed by an independent reference. */
export interface V2Vectors {
  session: {
    texts: string[];
    origins: [string, string][];
    fingerprints: string[];
    root: string;
    origin_leaf_data: string[];
    origins_root: string;
    origins_inclusion_path_of_index_3: string[];
    consistency_3_to_5: string[];
    root_of_first_3: string;
  };
  session_head: { document: Record<string, unknown>; jcs: string; head: string };
  store_log: { leaves: string[]; tree_size: number; root: string };
  dsse: { payloadType: string; payload_b64: string; pae_hex: string };
}
