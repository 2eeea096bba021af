/** Aggregate storage: the Storage service, the driver contract and the file and Redis drivers. */
export * from './create-storage-driver.ts';
export { isQuarantineName, type StorageDamage } from './damage.ts';
export * from './errors.ts';
export { FileStorageDriver, type FileStorageDriverOptions } from './file/file-storage-driver.ts';
export * from './metered-storage-driver.ts';
export * from './object-name.ts';
export {
  RedisStorageDriver,
  type RedisStorageDriverOptions,
} from './redis/redis-storage-driver.ts';
export { DEFAULT_REDIS_STORAGE_PREFIX } from './redis/redis-storage-layout.ts';
export * from './split-bundle.ts';
export * from './storage-driver.ts';
export * from './storage.ts';
export * from './write-fence.ts';
