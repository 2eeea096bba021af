/**
 * Hosts as resources: the type the host poller reads its host list from, who owns them, and the
 * id a host name stands for, shared by the poller, `orzo host` and the API's now view.
 */
import { transformResourceId } from '../grammar/index.ts';

/** The resource type of hosts. */
export const HOST_RESOURCE_TYPE = 'host';

/** Who creates host resources (so that `GET /v1/resource/host/<name>` finds them as admin). */
export const HOST_CREATOR = 'admin';

/** The resource id of a host name. */
export function hostResourceId(name: string): string {
  return transformResourceId(name, HOST_CREATOR);
}
