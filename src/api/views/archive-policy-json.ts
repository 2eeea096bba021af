/**
 * Archive policies as the API answers them: the archive-policy module's JSON representation, in
 * the mutable shape of the route schemas (the module's is deeply readonly).
 */
import type { Static } from '@sinclair/typebox';

import { archivePolicyToJson, type ArchivePolicy } from '../../archive-policy/index.ts';
import type { ARCHIVE_POLICY_JSON } from './schemas.ts';

/** An archive policy as routes answer it. */
export type ApiArchivePolicyJson = Static<typeof ARCHIVE_POLICY_JSON>;

/** The representation of an archive policy in answers. */
export function toArchivePolicyJson(policy: ArchivePolicy): ApiArchivePolicyJson {
  const json = archivePolicyToJson(policy);
  return {
    ...json,
    definition: json.definition.map((item) => ({ ...item })),
    aggregation_methods: [...json.aggregation_methods],
  };
}
