/**
 * The stored form of a metric's raw buffer: the BoundTimeSerie's points and, after a corrupt
 * buffer was replaced, the floors that protect the aggregates computed from the lost points.
 *
 * Without floors (every healthy metric) the object is exactly `encodeSeries` of the points, so
 * buffers written before floors existed read unchanged and a healthy buffer costs nothing more.
 * With floors it is an envelope (all integers little-endian):
 *
 *   u8 × 4   magic "OZRB" (the first byte is never a series format version)
 *   u8       format version, {@link RAW_BUFFER_VERSION}
 *   u8       n, the number of floors (1..255)
 *   u8 × 2   zero padding
 *   n ×      f64 granularity (µs), f64 floor (µs): buckets of that granularity starting before
 *            the floor hold aggregates of points the buffer lost, so they are never recomputed
 *   u32      XXH32, seed 0, of every header byte before it
 *   ...      the points, as `encodeSeries` (with its own checksum)
 *
 * A floor lasts until the buffer's first kept block reaches it: from then on the buffer itself
 * drops every measure old enough to touch a protected bucket. Anything wrong throws
 * `InvalidDataError`.
 */
import {
  decodeSeries,
  encodeSeries,
  InvalidDataError,
  xxHash32,
  type Series,
} from '../carbonara/index.ts';

/** Current envelope format version. */
export const RAW_BUFFER_VERSION = 1;

const MAGIC = [0x4f, 0x5a, 0x52, 0x42];
const FIXED_HEADER = 8;
const FLOOR_BYTES = 16;
const MAX_FLOORS = 255;

/** Granularity (µs) → the first bucket start (µs) that may be recomputed. */
export type RawFloors = ReadonlyMap<number, number>;

/** A decoded raw buffer. */
export interface RawBuffer {
  readonly series: Series;
  /** Empty for a healthy metric. */
  readonly floors: RawFloors;
}

const NO_FLOORS: RawFloors = new Map();

/** Encodes a raw buffer; the plain series format when there are no floors. */
export function encodeRawBuffer(series: Series, floors: RawFloors = NO_FLOORS): Uint8Array {
  const points = encodeSeries(series);
  if (floors.size === 0) return points;
  if (floors.size > MAX_FLOORS) throw new RangeError(`more than ${MAX_FLOORS} floors`);
  const headerLength = FIXED_HEADER + FLOOR_BYTES * floors.size + 4;
  const bytes = new Uint8Array(headerLength + points.length);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC);
  bytes[4] = RAW_BUFFER_VERSION;
  bytes[5] = floors.size;
  let at = FIXED_HEADER;
  for (const [granularity, floor] of [...floors].sort(([a], [b]) => a - b)) {
    view.setFloat64(at, granularity, true);
    view.setFloat64(at + 8, floor, true);
    at += FLOOR_BYTES;
  }
  view.setUint32(at, xxHash32(bytes.subarray(0, at)), true);
  bytes.set(points, headerLength);
  return bytes;
}

/** Decodes what {@link encodeRawBuffer} wrote (or a plain encoded series). */
export function decodeRawBuffer(bytes: Uint8Array): RawBuffer {
  if (bytes[0] !== MAGIC[0]) return { series: decodeSeries(bytes), floors: NO_FLOORS };
  const fail = (message: string, offset: number): never => {
    throw new InvalidDataError(`Raw buffer: ${message}`, { offset });
  };
  if (bytes.length < FIXED_HEADER) fail(`truncated (${bytes.length} bytes)`, bytes.length);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) fail('bad magic', i);
  if (bytes[4] !== RAW_BUFFER_VERSION) fail(`unknown version ${bytes[4]}`, 4);
  const count = bytes[5] as number;
  if (count === 0 || bytes[6] !== 0 || bytes[7] !== 0) fail('bad header', 5);
  const checksumAt = FIXED_HEADER + FLOOR_BYTES * count;
  if (checksumAt + 4 > bytes.length) fail('truncated header', bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(checksumAt, true) !== xxHash32(bytes.subarray(0, checksumAt))) {
    fail('checksum mismatch', checksumAt);
  }
  const floors = new Map<number, number>();
  for (let at = FIXED_HEADER; at < checksumAt; at += FLOOR_BYTES) {
    const granularity = view.getFloat64(at, true);
    const floor = view.getFloat64(at + 8, true);
    if (!(Number.isSafeInteger(granularity) && granularity > 0 && Number.isSafeInteger(floor))) {
      fail('bad floor', at);
    }
    floors.set(granularity, floor);
  }
  if (floors.size !== count) fail('repeated granularity', FIXED_HEADER);
  try {
    return { series: decodeSeries(bytes.subarray(checksumAt + 4)), floors };
  } catch (error) {
    if (!(error instanceof InvalidDataError)) throw error;
    throw new InvalidDataError(`Raw buffer points: ${error.message}`, {
      offset: checksumAt + 4 + (error.offset ?? 0),
      cause: error,
    });
  }
}
