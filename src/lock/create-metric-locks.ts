/**
 * The one factory of lock services, keyed by the `--coordination` setting: `local` gives lock
 * folders under the data folder, for processes of one machine.
 */
import { ConfigError } from '../errors/config-error.ts';
import { FileMetricLocks } from './file-metric-locks.ts';
import type { MetricLocks } from './metric-locks.ts';

/** Settings the coordination URL does not carry. */
export interface CreateMetricLocksOptions {
  /** The data folder of `local` coordination. */
  readonly dataDir: string;
  readonly onLost?: (metricId: string, error: Error) => void;
}

/** Makes the lock service a coordination URL names. */
export function createMetricLocks(url: string, options: CreateMetricLocksOptions): MetricLocks {
  if (url === 'local') {
    return new FileMetricLocks({
      basePath: options.dataDir,
      ...(options.onLost === undefined ? {} : { onLost: options.onLost }),
    });
  }
  throw new ConfigError(`unsupported coordination URL ${url}: expected local`, {
    path: 'coordinationUrl',
  });
}
