/**
 * Starting a listener as a promise: a TCP or HTTP server, or a datagram socket, bound or rejected
 * (a port in use, an address not available), with the port the system chose for port 0.
 */
import type { Socket as DatagramSocket } from 'node:dgram';
import type { Server } from 'node:net';

/** Listens on `host:port`; resolves to the bound port. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Binds a datagram socket to `host:port`; resolves to the bound port. */
export function bindDatagram(socket: DatagramSocket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket.address().port);
    });
  });
}
