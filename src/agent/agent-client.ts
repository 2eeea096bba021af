/**
 * The poller's side of one agent connection: signed requests, one at a time, each answered by one
 * frame within a timeout. A refused request, a timeout or a broken frame ends the connection; the
 * caller opens a new one.
 */
import { connect, type Socket } from 'node:net';

import { encodeFrame, FrameDecoder, FrameError } from './frames.ts';
import type { QueuedSample } from './sample-queue.ts';
import { signRequest, type AgentRequest } from './request-auth.ts';

/** An agent's answer to `dump`. */
export interface DumpAnswer {
  readonly host: string;
  /** This run of the agent: sequence numbers start again from 1 with a new one. */
  readonly instance: string;
  readonly quantumSeconds: number;
  readonly samples: QueuedSample[];
  readonly queued: number;
  readonly dropped: number;
}

/** A failed exchange; the connection is closed. */
export class AgentConnectionError extends Error {}

/** One open connection to an agent. */
export class AgentConnection {
  readonly #socket: Socket;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #decoder = new FrameDecoder();
  #nextId = 1;
  #waiting: { resolve(message: Record<string, unknown>): void; reject(error: Error): void }[] = [];
  #failure: Error | undefined;

  private constructor(socket: Socket, secret: string, timeoutMs: number) {
    this.#socket = socket;
    this.#secret = secret;
    this.#timeoutMs = timeoutMs;
    socket.on('data', (chunk: Buffer) => {
      let messages;
      try {
        messages = this.#decoder.push(chunk);
      } catch (error) {
        this.#fail(error instanceof FrameError ? error : new AgentConnectionError(String(error)));
        return;
      }
      for (const message of messages) this.#waiting.shift()?.resolve(message);
    });
    socket.on('error', (error) => {
      this.#fail(error);
    });
    socket.on('close', () => {
      this.#fail(new AgentConnectionError('connection closed'));
    });
  }

  /** Connects to an agent. */
  static async open(
    host: string,
    port: number,
    secret: string,
    timeoutMs: number,
  ): Promise<AgentConnection> {
    const socket = connect(port, host);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new AgentConnectionError(`no connection within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return new AgentConnection(socket, secret, timeoutMs);
  }

  /** The samples not yet acknowledged; `quantumSeconds` sets the agent's sampling period. */
  async dump(options: { max?: number; quantumSeconds?: number } = {}): Promise<DumpAnswer> {
    const answer = await this.#request({ op: 'dump', ...options });
    return answer as unknown as DumpAnswer;
  }

  /** Tells the agent that every sample up to `seq` is stored. */
  async acknowledge(seq: number): Promise<number> {
    const answer = await this.#request({ op: 'ack', seq });
    return Number(answer.acknowledged);
  }

  close(): void {
    this.#socket.destroy();
  }

  async #request(fields: Omit<AgentRequest, 'id' | 'time'>): Promise<Record<string, unknown>> {
    if (this.#failure !== undefined) throw this.#failure;
    const request = signRequest(this.#secret, { ...fields, id: this.#nextId++, time: Date.now() });
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new AgentConnectionError(`no answer within ${String(this.#timeoutMs)} ms`));
      }, this.#timeoutMs);
      this.#waiting.push({
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#socket.write(encodeFrame(request));
    });
    if (answer.ok !== true) {
      const refused = new AgentConnectionError(`refused: ${String(answer.error)}`);
      this.#fail(refused);
      throw refused;
    }
    return answer;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure);
    this.#socket.destroy();
  }
}
