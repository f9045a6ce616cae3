import { readFileSync } from 'node:fs';
import { UsageError } from '../errors';
import { sha256, toHex } from '../merkle';

/** SHA-256 hex of a training config file's bytes, as recorded with a session. */
export function hashConfigFile(path: string): string {
  try {
    return toHex(sha256(readFileSync(path)));
  } catch (err) {
    throw new UsageError(
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** A config hash given directly: 64 hex characters (SHA-256). */
export function normalizeConfigHash(value: string): string {
  const lower = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(lower)) {
    throw new UsageError(
      `--config-hash must be a SHA-256 in hex (64 characters), got "${value}"`,
      'or pass the file itself with --config FILE',
    );
  }
  return lower;
}
