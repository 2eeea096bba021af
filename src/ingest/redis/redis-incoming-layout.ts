/**
 * Where the Redis incoming driver keeps things, under a configurable key prefix `P`
 * (default `orzo:`; Redis `db` as in the URL):
 *
 *     P incoming-config                  hash   sacks → N (set by `orzo upgrade`)
 *     P incoming{N}-{i}                  hash   metric uuid → measures waiting; a field exists
 *                                               exactly while the metric's list exists
 *     P incoming{N}-{i}:<metric-uuid>    list   one element per batch, oldest first (RPUSH)
 *     P incoming                         pub/sub channel; each message is a sack number `i`
 *
 * A list element is a frame: 8 random bytes naming the batch, the measure count as a 4-byte
 * big-endian unsigned integer, then the encoded batch (`measure-batch-codec.ts`). The name lets
 * a delete check that the list still starts with the batches it read, so that repeating a
 * delete never removes batches it did not read. Sack names are Gnocchi's (`incoming128-17`);
 * Gnocchi's own keys (`gnocchi-config`, `incoming128-17:<uuid>`) differ, so both can share a
 * Redis without clashing when `P` is not empty.
 */
import { assertCanonicalUuid } from '../../grammar/index.ts';
import { sackName, type Sack } from '../sack.ts';

/** The default key prefix. */
export const DEFAULT_REDIS_INCOMING_PREFIX = 'orzo:';
/** Bytes of the batch name at the start of a frame. */
export const FRAME_ID_BYTES = 8;
/** Bytes before the encoded batch in a frame. */
export const FRAME_HEADER_BYTES = FRAME_ID_BYTES + 4;
/** Largest measure count a frame can carry. */
export const MAX_FRAME_MEASURES = 0xffff_ffff;

/** The keys of one prefix. */
export class RedisIncomingLayout {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_REDIS_INCOMING_PREFIX) {
    this.prefix = prefix;
  }

  /** The hash holding the sack count. */
  configKey(): string {
    return `${this.prefix}incoming-config`;
  }

  /** A sack's hash of waiting metrics. */
  sackKey(sack: Sack): string {
    return `${this.prefix}${sackName(sack)}`;
  }

  /** A metric's list of batches. */
  metricKey(sack: Sack, metricId: string): string {
    assertCanonicalUuid(metricId, 'metric id');
    return `${this.prefix}${sackName(sack)}:${metricId}`;
  }

  /** The channel new measures are announced on. */
  channel(): string {
    return `${this.prefix}incoming`;
  }
}

/** A frame: batch name, measure count, encoded batch. */
export function encodeFrame(id: Uint8Array, measures: number, data: Uint8Array): Buffer {
  if (id.length !== FRAME_ID_BYTES) throw new RangeError('a batch name has 8 bytes');
  if (!Number.isInteger(measures) || measures < 0 || measures > MAX_FRAME_MEASURES) {
    throw new RangeError(`measure count ${measures} does not fit a frame`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + data.length);
  frame.set(id, 0);
  frame.writeUInt32BE(measures, FRAME_ID_BYTES);
  frame.set(data, FRAME_HEADER_BYTES);
  return frame;
}

/** The parts of a frame; a frame too short for its header yields its bytes as the name. */
export function decodeFrame(frame: Buffer): { id: Buffer; measures: number; data: Buffer } {
  if (frame.length < FRAME_HEADER_BYTES) {
    return { id: frame.subarray(0, FRAME_ID_BYTES), measures: 0, data: frame.subarray(0, 0) };
  }
  return {
    id: frame.subarray(0, FRAME_ID_BYTES),
    measures: frame.readUInt32BE(FRAME_ID_BYTES),
    data: frame.subarray(FRAME_HEADER_BYTES),
  };
}
