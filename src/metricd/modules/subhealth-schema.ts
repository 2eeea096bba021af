/**
 * What sub-health writes its own series under: `metricd_worker` resources (one per worker, the
 * figures the built-in `metricd_workers` group reads), `subhealth_group` resources (one per
 * group, with its `slow_instances` count per check), and the `subhealth` archive policy (1 s
 * for a day, so that a check of any interval reads exactly its window; 1 min for 30 days).
 * Made on the module's start, as the poller makes the `host` type.
 */
import { createArchivePolicy } from '../../archive-policy/index.ts';
import { transformResourceId } from '../../grammar/index.ts';
import {
  ArchivePolicyAlreadyExistsError,
  ResourceTypeAlreadyExistsError,
  type Indexer,
} from '../../indexer/index.ts';
import { parseResourceTypeInput } from '../../resource/index.ts';

/** The resource type of metricd's workers. */
export const WORKER_RESOURCE_TYPE = 'metricd_worker';
/** The resource type of sub-health groups. */
export const GROUP_RESOURCE_TYPE = 'subhealth_group';
/** The archive policy of sub-health's series. */
export const SUBHEALTH_ARCHIVE_POLICY = 'subhealth';
/** Who creates sub-health's resources. */
export const SUBHEALTH_CREATOR = 'admin';

const TYPES = {
  [WORKER_RESOURCE_TYPE]: {
    name: { type: 'string', required: true, max_length: 255 },
    host: { type: 'string', required: true, max_length: 255 },
    index: { type: 'number', required: true, min: 0 },
  },
  [GROUP_RESOURCE_TYPE]: {
    group: { type: 'string', required: true, max_length: 64 },
  },
} as const;

/** Makes the types and the policy unless they exist. */
export async function ensureSubhealthSchema(
  indexer: Indexer,
  defaultAggregationMethods: readonly string[],
): Promise<void> {
  for (const [name, attributes] of Object.entries(TYPES)) {
    try {
      await indexer.createResourceType(parseResourceTypeInput({ name, attributes }));
    } catch (error) {
      if (!(error instanceof ResourceTypeAlreadyExistsError)) throw error;
    }
  }
  try {
    await indexer.createArchivePolicy(
      createArchivePolicy(
        {
          name: SUBHEALTH_ARCHIVE_POLICY,
          aggregation_methods: ['mean', 'min', 'max', 'last', 'sum'],
          definition: [
            { granularity: '1 second', timespan: '1 day' },
            { granularity: '1 minute', timespan: '30 days' },
          ],
        },
        { defaultAggregationMethods },
      ),
    );
  } catch (error) {
    if (!(error instanceof ArchivePolicyAlreadyExistsError)) throw error;
  }
}

/** The resource id of a name sub-health gives a resource (a worker's, a group's). */
export function subhealthResourceId(name: string): string {
  return transformResourceId(name, SUBHEALTH_CREATOR);
}
