/** Measures in: parsing and validation, the batch codec, sacks and the incoming drivers. */
export * from './backlog-cache.ts';
export * from './backlog.ts';
export * from './create-incoming-driver.ts';
export * from './errors.ts';
export { FileIncomingDriver, type FileIncomingDriverOptions } from './file/file-incoming-driver.ts';
export * from './incoming-driver.ts';
export * from './incoming.ts';
export * from './measure-batch-codec.ts';
export * from './measure-batch.ts';
export * from './parse-measures-batch.ts';
export * from './parse-measures.ts';
export * from './read-common-measures.ts';
export {
  INCOMING_REDIS_OPTIONS,
  createIncomingRedisClient,
  createIncomingRedisSubscriber,
} from './redis/redis-connection.ts';
export {
  RedisIncomingDriver,
  type RedisIncomingDriverOptions,
} from './redis/redis-incoming-driver.ts';
export { DEFAULT_REDIS_INCOMING_PREFIX } from './redis/redis-incoming-layout.ts';
export * from './sack.ts';
