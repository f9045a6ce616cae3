/** The license engine: taxonomy (licenses.yaml), SPDX expressions, compatibility, propagation. */
export * from './types';
export type { LoadTaxonomyOptions } from './taxonomy';
export { defaultTaxonomyPath, findLicense, getLicense, loadTaxonomy } from './taxonomy';
export type { YamlSnapshot } from './yaml-source';
export type {
  CompoundNode,
  IdMapping,
  LicenseExpression,
  LicenseNode,
  LicenseTerm,
  MappingReason,
  ParseOptions,
  ParsedExpression,
} from './expression';
export {
  MAX_ALTERNATIVES,
  expressionAlternatives,
  formatExpression,
  formatTerm,
  parseExpression,
  suggestExpression,
} from './expression';
export { isDeprecatedSpdxId, isLicenseRef, isSpdxLicenseId, spdxListSize } from './spdx-ids';
export type { MatchTarget } from './matcher';
export { matches } from './matcher';
export type {
  Choice,
  CompatibilityOptions,
  CompatibilityReport,
  EffectiveLicense,
  Finding,
  ItemResult,
  RejectedOption,
  Resolution,
} from './compatibility';
export {
  checkCompatibility,
  commonLicense,
  effectiveLicense,
  isUsableUnder,
  usableUnder,
} from './compatibility';
export type {
  Involvement,
  LicenseCount,
  LicenseShare,
  PropagatedFinding,
  PropagationOptions,
  PropagationResult,
  Share,
  ShareAlikeObligation,
  SourceShare,
  UseCategory,
} from './propagation';
export { propagate, useCategory } from './propagation';
