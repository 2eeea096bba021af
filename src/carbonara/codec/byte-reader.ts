/**
 * A bounds-checked cursor over the byte-aligned header fields of the series format, the reading
 * side of `ByteWriter` (field encodings are described in byte-writer.ts). Every read past the end, and
 * every malformed field, throws {@link InvalidDataError} carrying the byte offset.
 */
import { InvalidDataError } from '../errors.ts';
import { MAX_VARINT_BYTES, MAX_ZIGZAG } from './byte-writer.ts';

/** Reads header fields one after the other from `bytes[0..end)`, throwing on malformed input. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #end: number;
  #position = 0;

  constructor(bytes: Uint8Array, end: number) {
    this.#bytes = bytes;
    this.#end = end;
  }

  /** The offset of the next byte to read. */
  get position(): number {
    return this.#position;
  }

  /** The number of bytes left before the end. */
  get remaining(): number {
    return this.#end - this.#position;
  }

  /** Throws {@link InvalidDataError} at the current offset. */
  fail(message: string): never {
    throw new InvalidDataError(`${message} at byte ${this.#position}`, {
      offset: this.#position,
    });
  }

  /** Throws unless at least `count` bytes are left. */
  need(count: number, what: string): void {
    if (this.#end - this.#position < count) this.fail(`Truncated series data: ${what} missing`);
  }

  /** Reads one byte. */
  u8(): number {
    this.need(1, 'byte');
    return this.#bytes[this.#position++] as number;
  }

  /** Reads a varint, which must fit in 8 bytes and not exceed `limit`. */
  varint(limit = Number.MAX_SAFE_INTEGER): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > limit) this.fail('Varint out of range');
        return value;
      }
      scale *= 0x80;
    }
    return this.fail('Varint too long');
  }

  /** Reads a zigzag varint. */
  zigzag(): number {
    const z = this.varint(MAX_ZIGZAG);
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** Reads an unsigned 32-bit little-endian integer. */
  word(): number {
    this.need(4, 'word');
    const bytes = this.#bytes;
    const at = this.#position;
    this.#position = at + 4;
    const word =
      (bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24);
    return word >>> 0;
  }

  /** Skips the zero bytes that pad up to a multiple of 4, which must indeed be zeros. */
  skipAlignment(): void {
    while (this.#position % 4 !== 0) {
      if (this.u8() !== 0) {
        this.#position--;
        this.fail('Non-zero padding');
      }
    }
  }

  /** Advances by `count` bytes, which must be there. */
  skip(count: number, what: string): void {
    this.need(count, what);
    this.#position += count;
  }

  /** Throws unless every byte has been read. */
  expectEnd(): void {
    if (this.#position !== this.#end) this.fail('Trailing bytes after series data');
  }
}
