/**
 * Load for the UDP and TCP listeners of `bench:protocols`: statsd datagrams at a paced rate
 * (what arrived is read from the listener's own counters, so the loss rate is what the kernel
 * and the listener dropped), and Graphite lines over TCP connections as fast as they drain.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A counter of a listener's `/metrics`, summed over the label sets that match `labels`. */
export async function listenerCounter(
  metricsUrl: string,
  name: string,
  labels: string,
): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labels)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/**
 * Sends statsd counter messages, one per datagram as clients do by default, at `rate` a second
 * for `seconds` (in 10 ms steps); resolves to the messages sent.
 */
export async function sendStatsdAtRate(
  port: number,
  rate: number,
  seconds: number,
  names: number,
): Promise<number> {
  const socket = createSocket('udp4');
  const perStep = Math.max(1, Math.round(rate / 100));
  const steps = Math.round(seconds * 100);
  const start = performance.now();
  let sent = 0;
  for (let step = 0; step < steps; step++) {
    const pending: Promise<void>[] = [];
    for (let index = 0; index < perStep; index++) {
      const message = `bench.c${String(sent % names)}:1|c`;
      sent++;
      pending.push(
        new Promise((resolve) => {
          socket.send(message, port, '127.0.0.1', () => {
            resolve();
          });
        }),
      );
    }
    await Promise.all(pending);
    const due = start + (step + 1) * 10;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  socket.close();
  return sent;
}

/**
 * Sends `lines` Graphite lines spread over `connections` TCP connections, each writing as fast
 * as its socket drains; resolves once every connection is closed.
 */
export async function sendGraphiteLines(
  port: number,
  lines: number,
  connections: number,
  resources: number,
  metrics: number,
  t0Seconds: number,
): Promise<void> {
  const perConnection = Math.ceil(lines / connections);
  await Promise.all(
    Array.from({ length: connections }, async (_, connection) => {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve).once('error', reject);
      });
      const first = connection * perConnection;
      const last = Math.min(lines, first + perConnection);
      for (let start = first; start < last; start += 1000) {
        let chunk = '';
        for (let line = start; line < Math.min(last, start + 1000); line++) {
          const series = line % (resources * metrics);
          const resource = Math.floor(series / metrics);
          const step = Math.floor(line / (resources * metrics));
          chunk += `g${String(resource)}.m${String(series % metrics)} ${String(line % 100)} ${String(t0Seconds + step)}\n`;
        }
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
      }
      await new Promise<void>((resolve) => socket.end(resolve));
      await new Promise((resolve) => socket.once('close', resolve));
    }),
  );
}
