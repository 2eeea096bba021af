/**
 * Archive policies and their rules: validation with Gnocchi's rules and messages, the default
 * policies, rule precedence and matching (the value grammar they read is `src/grammar`).
 * Pure: no I/O, no clock, no environment.
 */
export {
  blockSize,
  checkArchivePolicyName,
  checkUniqueGranularities,
  createArchivePolicy,
  definitionByGranularity,
  effectiveBackWindow,
  findArchivePolicyItem,
  hasRateAggregation,
  MAX_ARCHIVE_POLICY_NAME_LENGTH,
  maxTimespan,
  parseArchivePolicyItems,
  parseBackWindow,
  type ArchivePolicy,
  type ArchivePolicyInput,
  type ArchivePolicyOptions,
} from './archive-policy.ts';
export {
  createArchivePolicyItem,
  deriveArchivePolicyItem,
  parseArchivePolicyItemFields,
  type ArchivePolicyItem,
  type ArchivePolicyItemFields,
  type ArchivePolicyItemInput,
} from './archive-policy-item.ts';
export {
  archivePolicyItemToJson,
  archivePolicyToJson,
  restoreArchivePolicy,
  type ArchivePolicyItemJson,
  type ArchivePolicyJson,
} from './archive-policy-json.ts';
export {
  archivePolicyRuleToJson,
  checkArchivePolicyRuleName,
  compareCodePoints,
  createArchivePolicyRule,
  matchArchivePolicyRule,
  MAX_ARCHIVE_POLICY_RULE_FIELD_LENGTH,
  requireArchivePolicyRule,
  sortArchivePolicyRules,
  type ArchivePolicyRule,
  type ArchivePolicyRuleInput,
  type ArchivePolicyRuleJson,
} from './archive-policy-rule.ts';
export { checkArchivePolicyUpdate } from './archive-policy-update.ts';
export { DEFAULT_ARCHIVE_POLICY_RULE, defaultArchivePolicies } from './default-policies.ts';
export {
  InvalidArchivePolicyError,
  InvalidArchivePolicyRuleError,
  NoArchivePolicyRuleMatchError,
  UnsupportedArchivePolicyChangeError,
  type InputPath,
} from './errors.ts';
export {
  ALL_AGGREGATION_METHODS_ENTRY,
  checkAggregationMethodEntries,
  isAggregationMethodEntry,
  resolveAggregationMethods,
} from './resolve-aggregation-methods.ts';
