/** UDP datagrams to a loopback port, as statsd and Graphite clients send them. */
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';

/** Sends each datagram, then waits `settleMs` for the listener to read them. */
export async function sendDatagrams(
  port: number,
  datagrams: readonly (string | Buffer)[],
  settleMs = 100,
): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const datagram of datagrams) {
      await new Promise<void>((resolve, reject) => {
        socket.send(datagram, port, '127.0.0.1', (error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    }
  } finally {
    socket.close();
  }
  await sleep(settleMs);
}
