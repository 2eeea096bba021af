import { request } from './aggregate-workload.ts';

/** What the active reporter last published of a sub-health group in `/v1/status`, if anything. */
export async function subhealthGroupStatus(
  url: string,
  group: string,
): Promise<Record<string, unknown> | undefined> {
  const status = (await request(url, 'GET', '/v1/status?details=false')) as {
    metricd: {
      reporter?: {
        modules?: { subhealth?: { groups?: Record<string, Record<string, unknown>> } };
      };
    };
  };
  return status.metricd.reporter?.modules?.subhealth?.groups?.[group];
}
