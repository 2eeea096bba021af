/**
 * The archive policies that reads of measures interpret stored aggregates with, kept for a few
 * seconds, so that a read asks the indexer for its metric only, not for its policy too.
 *
 * Freshness: changes made through the cache ({@link ArchivePolicyCache.updateArchivePolicy},
 * {@link ArchivePolicyCache.deleteArchivePolicy}) drop the entry, so that this process reads with
 * its own changes at once. A change made through another process (another `orzo api` on the
 * same indexer) is seen once the entry expires, at most {@link ARCHIVE_POLICY_CACHE_TTL_MS} later. That is harmless because a policy, once created, can change only its retention and back
 * window (Gnocchi refuses any other change): for those seconds a read may truncate to the old
 * retention. Deleting a policy and creating another under its name in another process is the one
 * way to change granularities or methods; it needs every metric of the old one gone first, and a
 * read of a new metric within the TTL would then see the old definition. Other endpoints (showing
 * a policy, a metric with its policy) read the indexer every time.
 */
import type { ArchivePolicy } from '../../archive-policy/index.ts';
import type { Indexer } from '../../indexer/index.ts';

/** How long a policy read from the indexer is used, in milliseconds. */
export const ARCHIVE_POLICY_CACHE_TTL_MS = 5000;

/** Options of {@link ArchivePolicyCache}. */
export interface ArchivePolicyCacheOptions {
  /** The clock, in milliseconds. @defaultValue `Date.now` */
  readonly now?: () => number;
}

interface Entry {
  readonly policy: Promise<ArchivePolicy | undefined>;
  readonly expiresAt: number;
}

/** The policy slice of the indexer, reading through a cache and dropping what it changes. */
export type CachedArchivePolicies = Pick<
  Indexer,
  'getArchivePolicy' | 'updateArchivePolicy' | 'deleteArchivePolicy'
>;

/** Archive policies by name, read through from the indexer. */
export class ArchivePolicyCache implements CachedArchivePolicies {
  readonly #indexer: CachedArchivePolicies;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(indexer: CachedArchivePolicies, options: ArchivePolicyCacheOptions = {}) {
    this.#indexer = indexer;
    this.#now = options.now ?? Date.now;
  }

  /** The policy of this name, from the cache while it is fresh; `undefined` when there is none. */
  getArchivePolicy(name: string): Promise<ArchivePolicy | undefined> {
    const now = this.#now();
    const cached = this.#entries.get(name);
    if (cached !== undefined && now < cached.expiresAt) return cached.policy;
    // NOTE: concurrent reads of a missing entry share one query; the entry is in place before the
    // query runs, so an update or delete meanwhile drops it and its stale answer is never kept.
    const entry: Entry = {
      policy: this.#indexer.getArchivePolicy(name),
      expiresAt: now + ARCHIVE_POLICY_CACHE_TTL_MS,
    };
    this.#entries.set(name, entry);
    const drop = () => {
      if (this.#entries.get(name) === entry) this.#entries.delete(name);
    };
    void entry.policy.then((policy) => {
      if (policy === undefined) drop();
    }, drop);
    return entry.policy;
  }

  /** The indexer's update, then the entry dropped (also when it fails, as it may have committed). */
  async updateArchivePolicy(
    name: string,
    change: (current: ArchivePolicy) => ArchivePolicy,
  ): Promise<ArchivePolicy> {
    try {
      return await this.#indexer.updateArchivePolicy(name, change);
    } finally {
      this.#entries.delete(name);
    }
  }

  /** The indexer's delete, then the entry dropped. */
  async deleteArchivePolicy(name: string): Promise<void> {
    try {
      await this.#indexer.deleteArchivePolicy(name);
    } finally {
      this.#entries.delete(name);
    }
  }
}
