import spdxCorrect from 'spdx-correct';
import spdxDeprecatedIds from 'spdx-license-ids/deprecated.json';
import spdxLicenseIds from 'spdx-license-ids/index.json';

/** The SPDX license list (spdx-license-ids) and spdx-correct, behind a small interface. */

const current = new Set<string>(spdxLicenseIds);
const deprecated = new Set<string>(spdxDeprecatedIds);
const byLowerCase = new Map<string, string>();
for (const id of [...spdxDeprecatedIds, ...spdxLicenseIds]) byLowerCase.set(id.toLowerCase(), id);

/** SPDX's special values, valid where a license expression is expected but not on the list. */
export const SPECIAL_IDS: ReadonlySet<string> = new Set(['NOASSERTION', 'NONE']);

const LICENSE_REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;

/** True for an id on the current SPDX license list (exact case). */
export function isSpdxLicenseId(id: string): boolean {
  return current.has(id);
}

/** True for a deprecated SPDX id (`GPL-2.0`, `LGPL-2.1`, …). */
export function isDeprecatedSpdxId(id: string): boolean {
  return deprecated.has(id);
}

/** `LicenseRef-…` or `DocumentRef-…:LicenseRef-…`. */
export function isLicenseRef(id: string): boolean {
  return LICENSE_REF.test(id);
}

/** The SPDX spelling of an id written in any case (current or deprecated list), if any. */
export function spdxIdIgnoringCase(id: string): string | undefined {
  return byLowerCase.get(id.toLowerCase());
}

/**
 * A stand-in SPDX id for the n-th license of an expression. spdx-expression-parse only accepts
 * listed ids (and rejects `LicenseRef-… WITH …`, which SPDX allows), so the structure is parsed
 * with stand-ins and the real ids are put back afterwards.
 */
export function placeholderId(n: number): string | undefined {
  return spdxLicenseIds[n];
}

/** The number of ids on the SPDX list this build validates against. */
export function spdxListSize(): number {
  return current.size;
}

/** spdx-correct's guess for a near miss (`Apache 2` → `Apache-2.0`), or undefined. */
export function correctSpdx(input: string): string | undefined {
  try {
    return spdxCorrect(input) ?? undefined;
  } catch {
    return undefined;
  }
}
