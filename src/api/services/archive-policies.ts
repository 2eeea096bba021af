/**
 * Archive policy operations that take more than one step: validating a client's policy before the
 * indexer stores it, and Gnocchi's read / check / write update, done atomically by the indexer.
 */
import {
  checkArchivePolicyUpdate,
  createArchivePolicy,
  type ArchivePolicy,
  type ArchivePolicyInput,
  type ArchivePolicyOptions,
} from '../../archive-policy/index.ts';
import { ArchivePolicyNotFoundError, type Indexer } from '../../indexer/index.ts';

/** What `PATCH /v1/archive_policy/<name>` accepts: new retention, and (as in HEAD) back window. */
export interface ArchivePolicyUpdateInput {
  readonly definition: unknown;
  readonly back_window?: unknown;
}

/** Validates a client's archive policy and stores it; the indexer refuses a taken name. */
export async function createArchivePolicyFromInput(
  indexer: Pick<Indexer, 'createArchivePolicy'>,
  input: ArchivePolicyInput,
  options: ArchivePolicyOptions,
): Promise<ArchivePolicy> {
  return indexer.createArchivePolicy(createArchivePolicy(input, options));
}

/** Applies a client's update to a policy, refusing changes of granularities. */
export async function updateArchivePolicyFromInput(
  indexer: Pick<Indexer, 'updateArchivePolicy'>,
  name: string,
  input: ArchivePolicyUpdateInput,
): Promise<ArchivePolicy> {
  return indexer.updateArchivePolicy(name, (current) =>
    checkArchivePolicyUpdate(current, input.definition, input.back_window),
  );
}

/** The policy of this name; throws `ArchivePolicyNotFoundError`. */
export async function findArchivePolicy(
  indexer: Pick<Indexer, 'getArchivePolicy'>,
  name: string,
): Promise<ArchivePolicy> {
  const policy = await indexer.getArchivePolicy(name);
  if (policy === undefined) throw new ArchivePolicyNotFoundError(name);
  return policy;
}
