/**
 * The agent's wire format: length-prefixed frames, each a 4-byte big-endian length and that many
 * bytes of UTF-8 JSON. A frame longer than the limit, or whose body is not a JSON object, is a
 * protocol error: the connection that sent it is closed, and only that one.
 */

/** A frame that breaks the format; the message says how. */
export class FrameError extends Error {}

/** Largest frame either side accepts. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** The bytes of one frame. */
export function encodeFrame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Cuts a byte stream into messages, whatever the chunks it arrives in. */
export class FrameDecoder {
  readonly #maxBytes: number;
  #buffered: Buffer = Buffer.alloc(0);

  constructor(maxBytes = MAX_FRAME_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** The messages completed by `chunk`; throws {@link FrameError}. */
  push(chunk: Buffer): Record<string, unknown>[] {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const messages: Record<string, unknown>[] = [];
    for (;;) {
      if (this.#buffered.length < 4) break;
      const length = this.#buffered.readUInt32BE(0);
      if (length > this.#maxBytes) {
        throw new FrameError(
          `frame of ${String(length)} bytes, more than ${String(this.#maxBytes)}`,
        );
      }
      if (this.#buffered.length < 4 + length) break;
      const body = this.#buffered.subarray(4, 4 + length).toString('utf8');
      this.#buffered = this.#buffered.subarray(4 + length);
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch {
        throw new FrameError('frame body is not JSON');
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        throw new FrameError('frame body is not a JSON object');
      }
      messages.push(message as Record<string, unknown>);
    }
    return messages;
  }

  /** Bytes of an unfinished frame waiting for the rest. */
  get pendingBytes(): number {
    return this.#buffered.length;
  }
}
