/**
 * The bytes of one measure batch as it waits in incoming storage.
 *
 * Format (version 1): a MessagePack map packed by one module-level msgpackr `Packr` with
 * `useRecords: false`, so the bytes describe themselves and any MessagePack reader can decode them:
 *
 *     { "version": 1,
 *       "timestamps": bin(8 × n bytes: float64 little-endian, integer µs since the epoch),
 *       "values":     bin(8 × n bytes: float64 little-endian) }
 *
 * Measures are in request order, unsorted. Decoding checks the version, the shapes and that every
 * timestamp is an integer in [0, 2^53 − 1]; anything else is carbonara's `InvalidDataError`, which
 * callers treat as a corrupt batch to log and drop (Gnocchi's rule for corrupt data).
 */
import { Packr } from 'msgpackr';

import { InvalidDataError } from '../carbonara/errors.ts';
import { IS_LITTLE_ENDIAN } from '../carbonara/index.ts';
import { MAX_TIMESTAMP_MICROS } from '../grammar/index.ts';
import type { MeasureBatch } from './measure-batch.ts';

/** The version this module writes. */
export const MEASURE_BATCH_FORMAT_VERSION = 1;

// NOTE: typed arrays are copied byte for byte into a little-endian format; a big-endian host
// would need byte swapping, which no platform Node supports today requires.
if (!IS_LITTLE_ENDIAN) throw new Error('the measure batch codec needs a little-endian host');

const PACKR = new Packr({ useRecords: false });

/** Encodes a batch into self-describing bytes. */
export function encodeMeasureBatch(batch: MeasureBatch): Uint8Array {
  const { timestamps, values } = batch;
  if (timestamps.length !== values.length) {
    throw new RangeError('timestamps and values differ in length');
  }
  return PACKR.pack({
    version: MEASURE_BATCH_FORMAT_VERSION,
    timestamps: new Uint8Array(timestamps.buffer, timestamps.byteOffset, timestamps.byteLength),
    values: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

/**
 * The length of what {@link encodeMeasureBatch} makes of `measures` measures, so that a reader
 * knows a batch file's size from its name: a map16 of three entries, `version` and its fixint,
 * and two fixstr keys each followed by a bin8, bin16 or bin32 of 8 bytes a measure.
 */
export function encodedMeasureBatchBytes(measures: number): number {
  const arrayBytes = 8 * measures;
  const binHeader = arrayBytes < 0x100 ? 2 : arrayBytes < 0x10000 ? 3 : 5;
  const keys = 'version'.length + 'timestamps'.length + 'values'.length + 3;
  return 3 + keys + 1 + 2 * (binHeader + arrayBytes);
}

/** Decodes bytes written by {@link encodeMeasureBatch}; throws `InvalidDataError` if corrupt. */
export function decodeMeasureBatch(bytes: Uint8Array): MeasureBatch {
  let decoded: unknown;
  try {
    decoded = PACKR.unpack(bytes);
  } catch (error) {
    throw new InvalidDataError('measure batch is not valid MessagePack', { cause: error });
  }
  if (typeof decoded !== 'object' || decoded === null) {
    throw new InvalidDataError('measure batch is not a map');
  }
  const { version, timestamps, values } = decoded as Record<string, unknown>;
  if (version !== MEASURE_BATCH_FORMAT_VERSION) {
    throw new InvalidDataError(`unknown measure batch version ${String(version)}`);
  }
  if (!(timestamps instanceof Uint8Array) || !(values instanceof Uint8Array)) {
    throw new InvalidDataError('measure batch lacks its timestamps or values');
  }
  if (timestamps.length % 8 !== 0 || timestamps.length !== values.length) {
    throw new InvalidDataError('measure batch timestamps and values do not pair up');
  }
  const batch = { timestamps: toFloat64(timestamps), values: toFloat64(values) };
  checkTimestamps(batch.timestamps);
  return batch;
}

/** A copy of the bytes as doubles; a copy, because the bytes need not be 8-byte aligned. */
function toFloat64(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function checkTimestamps(timestamps: Float64Array): void {
  for (let i = 0; i < timestamps.length; i++) {
    const ts = timestamps[i] as number;
    if (!(ts >= 0 && ts <= MAX_TIMESTAMP_MICROS) || ts !== Math.floor(ts)) {
      throw new InvalidDataError(`measure batch timestamp ${i} is not whole microseconds`);
    }
  }
}
