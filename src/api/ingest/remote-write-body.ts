/**
 * A Prometheus remote-write body: a `WriteRequest` (prometheus/prompb, protocol 1.0) in protocol
 * buffers, compressed with snappy's block format.
 *
 * snappy (napi-rs's binding of Google's C++ library, with prebuilt binaries) decompresses at
 * memory speed and is kept current; protobufjs is the reference protocol-buffers runtime for
 * JavaScript, decoding from the schema below. Only what Orzo stores is declared: labels and float
 * samples; native histograms, exemplars and metadata are skipped as unknown fields.
 */
import protobuf from 'protobufjs';
import snappy from 'snappy';

import { UndecodableBodyError } from '../http/request-errors.ts';

/** One series of a write: its labels, and its samples in order. */
export interface RemoteSeries {
  readonly labels: ReadonlyMap<string, string>;
  /** Milliseconds since the epoch. */
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

const SCHEMA = `
syntax = "proto3";
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;
/** The `WriteRequest` message type (also what tests and benches encode bodies with). */
export const WRITE_REQUEST = protobuf.parse(SCHEMA).root.lookupType('WriteRequest');

/**
 * Prometheus' staleness marker, the NaN 0x7ff0000000000002 that says a series ended (not a
 * value), told from its NaN values (0x7ff8000000000001) by the low word; V8 may set the quiet bit
 * of a NaN it stores, so the high word is read without it.
 */
const STALE_NAN_HIGH = 0x7ff00000;
const QUIET_BIT = 0x00080000;
const STALE_NAN_LOW = 0x00000002;
const BITS = new DataView(new ArrayBuffer(8));

function isStaleMarker(value: number): boolean {
  if (!Number.isNaN(value)) return false;
  BITS.setFloat64(0, value);
  return (BITS.getUint32(0) & ~QUIET_BIT) === STALE_NAN_HIGH && BITS.getUint32(4) === STALE_NAN_LOW;
}

/** The length snappy's block format announces (a varint at the start); -1 if unreadable. */
function announcedLength(bytes: Uint8Array): number {
  let length = 0;
  for (let index = 0, shift = 0; index < Math.min(bytes.length, 5); index++, shift += 7) {
    const byte = bytes[index] as number;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return length;
  }
  return -1;
}

interface DecodedSeries {
  labels?: { name?: string; value?: string }[];
  samples?: { value?: number; timestamp?: number | { toNumber(): number } }[];
}

/**
 * The series of a body. Throws `UndecodableBodyError` for a body that is not snappy, announces
 * more than `limit` bytes once decompressed, or is not a `WriteRequest`. Staleness markers are
 * left out (they end a series; they are not measures).
 */
export function decodeRemoteWrite(body: Uint8Array, limit: number): RemoteSeries[] {
  const length = announcedLength(body);
  if (length < 0 || length > limit) {
    throw new UndecodableBodyError(
      `not a snappy-compressed WriteRequest of at most ${String(limit)} bytes`,
    );
  }
  let decoded: { timeseries?: DecodedSeries[] };
  try {
    const raw = snappy.uncompressSync(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    decoded = WRITE_REQUEST.decode(raw as Uint8Array) as { timeseries?: DecodedSeries[] };
  } catch (error) {
    throw new UndecodableBodyError(
      `not a snappy-compressed Prometheus WriteRequest: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return (decoded.timeseries ?? []).map((series) => {
    const timestampsMs: number[] = [];
    const values: number[] = [];
    for (const { value = 0, timestamp = 0 } of series.samples ?? []) {
      if (isStaleMarker(value)) continue;
      timestampsMs.push(typeof timestamp === 'number' ? timestamp : timestamp.toNumber());
      values.push(value);
    }
    const labels = new Map(
      (series.labels ?? []).map(({ name = '', value = '' }) => [name, value] as const),
    );
    return { labels, timestampsMs, values };
  });
}
