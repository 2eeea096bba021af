/**
 * How a poller proves itself to an agent: every request carries an HMAC-SHA256, under the shared
 * secret, of its other fields in a fixed order; the agent recomputes it and compares in constant
 * time. A request must also be recent (its `time` within `MAX_SKEW_MS` of the agent's clock) and
 * its `id` above the last one of its connection, so a recorded request cannot be played again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The fields a request is signed over, in order. */
export interface AgentRequest {
  readonly op: 'dump' | 'ack';
  /** Increasing on each connection. */
  readonly id: number;
  /** The poller's clock, milliseconds since the epoch. */
  readonly time: number;
  /** `ack`: every sample up to this sequence number is stored. */
  readonly seq?: number;
  /** `dump`: the most samples to send. */
  readonly max?: number;
  /** `dump`: the sampling period the poller wants from now on, in seconds. */
  readonly quantumSeconds?: number;
}

/** How far a request's clock may be from the agent's. */
export const MAX_SKEW_MS = 5 * 60_000;

function canonical(request: AgentRequest): string {
  return [
    request.op,
    request.id,
    request.time,
    request.seq ?? '',
    request.max ?? '',
    request.quantumSeconds ?? '',
  ].join('\n');
}

/** The request with its `mac`. */
export function signRequest(secret: string, request: AgentRequest): AgentRequest & { mac: string } {
  return { ...request, mac: createHmac('sha256', secret).update(canonical(request)).digest('hex') };
}

/** Why a request is refused, or undefined when it is sound. */
export function checkRequest(
  secret: string,
  message: Record<string, unknown>,
  lastId: number,
  now: number,
): { request: AgentRequest } | { refusal: string } {
  const { op, id, time, seq, max, quantumSeconds, mac } = message;
  if (op !== 'dump' && op !== 'ack') return { refusal: 'unknown op' };
  if (typeof id !== 'number' || typeof time !== 'number' || typeof mac !== 'string') {
    return { refusal: 'id, time and mac are required' };
  }
  const optional = [seq, max, quantumSeconds];
  if (optional.some((value) => value !== undefined && typeof value !== 'number')) {
    return { refusal: 'seq, max and quantumSeconds must be numbers' };
  }
  const request: AgentRequest = {
    op,
    id,
    time,
    ...(seq === undefined ? {} : { seq: seq as number }),
    ...(max === undefined ? {} : { max: max as number }),
    ...(quantumSeconds === undefined ? {} : { quantumSeconds: quantumSeconds as number }),
  };
  const expected = createHmac('sha256', secret).update(canonical(request)).digest();
  const given = Buffer.from(mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { refusal: 'authentication failed' };
  }
  if (Math.abs(now - time) > MAX_SKEW_MS) return { refusal: 'request time too far from now' };
  if (id <= lastId) return { refusal: 'request id not above the last one' };
  return { request };
}
