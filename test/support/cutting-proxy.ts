/**
 * A TCP proxy that cuts connections on cue, for tests of what a client does when the network
 * fails in the middle of an exchange: it can pass only the first bytes of the next answer, or
 * drop the n-th request from now, destroying both sides of that connection; or hold an answer
 * back, so that a test can act (kill the client) while the client waits for it.
 */
import { connect, createServer, type Socket } from 'node:net';

import { listen } from '../../src/async/listen.ts';

/** A running proxy. */
export interface CuttingProxy {
  readonly port: number;
  /** Passes only `bytes` bytes of the next answer, then cuts. */
  cutAnswerAfter(bytes: number): void;
  /** Cuts, instead of forwarding it, the `n`-th request (a write of the client) from now. */
  cutRequest(n: number): void;
  /**
   * Holds back the next answer that contains `text`; resolves, once one is held, to a function
   * that sends it on.
   */
  holdNextAnswer(text: string): Promise<() => void>;
  /** Connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 in front of `127.0.0.1:targetPort`. */
export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  let answerBudget: number | undefined;
  let requestsToCut: number | undefined;
  let cuts = 0;
  let hold: { text: string; held: (release: () => void) => void } | undefined;
  const sockets = new Set<Socket>();
  const cut = (...pair: Socket[]): void => {
    cuts++;
    for (const socket of pair) socket.destroy();
  };
  const server = createServer((client) => {
    const target = connect(targetPort, '127.0.0.1');
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (requestsToCut !== undefined && --requestsToCut === 0) {
        requestsToCut = undefined;
        cut(client, target);
        return;
      }
      target.write(chunk);
    });
    target.on('data', (chunk: Buffer) => {
      if (hold !== undefined && chunk.includes(hold.text)) {
        const { held } = hold;
        hold = undefined;
        target.pause();
        held(() => {
          client.write(chunk);
          target.resume();
        });
        return;
      }
      if (answerBudget === undefined) {
        client.write(chunk);
        return;
      }
      const passed = chunk.subarray(0, answerBudget);
      answerBudget = undefined;
      client.write(passed, () => {
        cut(client, target);
      });
    });
  });
  const port = await listen(server, '127.0.0.1', 0);
  return {
    port,
    cutAnswerAfter: (bytes) => {
      answerBudget = bytes;
    },
    cutRequest: (n) => {
      requestsToCut = n;
    },
    holdNextAnswer: (text) =>
      new Promise((resolve) => {
        hold = { text, held: resolve };
      }),
    get cuts() {
      return cuts;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
