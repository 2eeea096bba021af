/**
 * Archive policy rule operations: validation of a client's rule or new name before the indexer
 * stores it, and lookups that fail with the indexer's not-found error.
 */
import {
  checkArchivePolicyRuleName,
  createArchivePolicyRule,
  type ArchivePolicyRule,
  type ArchivePolicyRuleInput,
} from '../../archive-policy/index.ts';
import { ArchivePolicyRuleNotFoundError, type Indexer } from '../../indexer/index.ts';

/** Validates a client's rule and stores it; its archive policy must exist. */
export async function createArchivePolicyRuleFromInput(
  indexer: Pick<Indexer, 'createArchivePolicyRule'>,
  input: ArchivePolicyRuleInput,
): Promise<ArchivePolicyRule> {
  return indexer.createArchivePolicyRule(createArchivePolicyRule(input));
}

/** Renames a rule (the only change Gnocchi allows); the new name must be free. */
export async function renameArchivePolicyRuleFromInput(
  indexer: Pick<Indexer, 'renameArchivePolicyRule'>,
  name: string,
  input: { readonly name: string },
): Promise<ArchivePolicyRule> {
  return indexer.renameArchivePolicyRule(name, checkArchivePolicyRuleName(input.name));
}

/** The rule of this name; throws `ArchivePolicyRuleNotFoundError`. */
export async function findArchivePolicyRule(
  indexer: Pick<Indexer, 'getArchivePolicyRule'>,
  name: string,
): Promise<ArchivePolicyRule> {
  const rule = await indexer.getArchivePolicyRule(name);
  if (rule === undefined) throw new ArchivePolicyRuleNotFoundError(name);
  return rule;
}
