/**
 * The groups as the indexer keeps them, read and changed in one place for the detector, the API
 * and the CLI: the built-in groups always exist (a row holds what users set over their defaults),
 * users' groups exist while their row does.
 */
import { SubhealthGroupNotFoundError } from './errors.ts';
import {
  BUILT_IN_GROUPS,
  patchGroup,
  resolveGroup,
  type SubhealthGroup,
} from './group-settings.ts';

/** Where group settings are kept (the indexer). */
export interface GroupSettingsStore {
  listSubhealthGroups(): Promise<
    readonly { readonly name: string; readonly settings: Readonly<Record<string, unknown>> }[]
  >;
  putSubhealthGroup(record: {
    readonly name: string;
    readonly settings: Readonly<Record<string, unknown>>;
    readonly updatedAt: number;
  }): Promise<void>;
  deleteSubhealthGroup(name: string): Promise<boolean>;
}

/** Every group, by name order; a stored row that no longer resolves is given apart. */
export async function readGroups(store: Pick<GroupSettingsStore, 'listSubhealthGroups'>): Promise<{
  readonly groups: readonly SubhealthGroup[];
  readonly invalid: readonly { readonly name: string; readonly error: unknown }[];
}> {
  const stored = new Map(
    (await store.listSubhealthGroups()).map((record) => [record.name, record.settings]),
  );
  const names = [...new Set([...Object.keys(BUILT_IN_GROUPS), ...stored.keys()])].sort();
  const groups: SubhealthGroup[] = [];
  const invalid: { name: string; error: unknown }[] = [];
  for (const name of names) {
    try {
      groups.push(resolveGroup(name, stored.get(name) ?? {}));
    } catch (error) {
      invalid.push({ name, error });
    }
  }
  return { groups, invalid };
}

/**
 * Applies changes by group: an object's keys over what is stored (a new name makes a user's
 * group), `null` to delete a user's group or return a built-in one to its defaults. Every change
 * is checked before any is stored. Returns the groups afterwards.
 */
export async function changeGroups(
  store: GroupSettingsStore,
  changes: Readonly<Record<string, Readonly<Record<string, unknown>> | null>>,
  nowUs: number,
): Promise<readonly SubhealthGroup[]> {
  const stored = new Map(
    (await store.listSubhealthGroups()).map((record) => [record.name, record.settings]),
  );
  const writes: { name: string; settings: Record<string, unknown> | null }[] = [];
  for (const [name, change] of Object.entries(changes)) {
    if (change === null) {
      if (!stored.has(name) && BUILT_IN_GROUPS[name] === undefined) {
        throw new SubhealthGroupNotFoundError(name);
      }
      writes.push({ name, settings: null });
    } else {
      writes.push({ name, settings: patchGroup(name, stored.get(name), change) });
    }
  }
  for (const { name, settings } of writes) {
    if (settings === null) await store.deleteSubhealthGroup(name);
    else await store.putSubhealthGroup({ name, settings, updatedAt: nowUs });
  }
  return (await readGroups(store)).groups;
}
