/**
 * The binary format of stored series (aggregate splits and the raw buffer), and the checksum and
 * word order that other formats of the engine (split bundles, measure batches) share with it.
 */
export { decodeSeries, encodeSeries, SERIES_FORMAT_VERSION } from './serialize.ts';
export { IS_LITTLE_ENDIAN } from './word-order.ts';
export { xxHash32 } from './xxhash32.ts';
