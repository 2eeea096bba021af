/**
 * A cursor that writes the byte-aligned header fields of the series format (see serialize.ts)
 * into a buffer sized up front. Field encodings:
 * - `u8`: one byte;
 * - `varint`: an unsigned integer below 2^53 as LEB128, 7 bits a byte, least significant group
 *   first, high bit set on every byte but the last (at most 8 bytes);
 * - `zigzag`: a signed integer x with −2^52 <= x < 2^53 as the varint of 2x (x >= 0) or −2x − 1
 *   (x < 0); the one varint that may exceed 2^53 − 1, harmlessly since 2x is even and so exact;
 * - `word`: an unsigned 32-bit integer, little-endian.
 */

/** The number of bytes a varint may take at most. */
export const MAX_VARINT_BYTES = 8;

/** The largest varint a zigzag field may hold, 2 · (2^53 − 1). */
export const MAX_ZIGZAG = 2 * Number.MAX_SAFE_INTEGER;

/** Writes header fields one after the other into a fixed-capacity buffer. */
export class ByteWriter {
  readonly #bytes: Uint8Array;
  #position = 0;

  constructor(capacity: number) {
    this.#bytes = new Uint8Array(capacity);
  }

  /** The number of bytes written so far. */
  get length(): number {
    return this.#position;
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#position);
  }

  /** Writes one byte (the low 8 bits of `value`). */
  u8(value: number): void {
    // NOTE: a typed array drops writes past its end silently, which would corrupt the output.
    if (this.#position >= this.#bytes.length) {
      throw new RangeError(`ByteWriter capacity of ${this.#bytes.length} bytes exceeded`);
    }
    this.#bytes[this.#position++] = value;
  }

  /** Writes an unsigned integer as a varint. */
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.u8((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.u8(rest);
  }

  /** Writes a signed integer with −2^52 <= value < 2^53 as a zigzag varint. */
  zigzag(value: number): void {
    this.varint(value >= 0 ? 2 * value : -2 * value - 1);
  }

  /** Writes an unsigned 32-bit integer, little-endian. */
  word(value: number): void {
    for (let shift = 0; shift < 32; shift += 8) this.u8(value >>> shift);
  }

  /** Writes zero bytes until the length is a multiple of 4. */
  alignToWord(): void {
    while (this.#position % 4 !== 0) this.u8(0);
  }
}
