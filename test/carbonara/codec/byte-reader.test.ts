import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../../src/carbonara/codec/byte-reader.ts';
import { ByteWriter } from '../../../src/carbonara/codec/byte-writer.ts';
import { InvalidDataError } from '../../../src/carbonara/errors.ts';

function readerOf(bytes: number[]): ByteReader {
  return new ByteReader(Uint8Array.from(bytes), bytes.length);
}

describe('ByteWriter and ByteReader', () => {
  it('round-trip varints, zigzags and words', () => {
    const varints = [0, 1, 127, 128, 300, 2 ** 32, Number.MAX_SAFE_INTEGER];
    const zigzags = [0, -1, 1, -64, 64, -(2 ** 52), Number.MAX_SAFE_INTEGER];
    const words = [0, 1, 0xdeadbeef, 0xffffffff];
    const writer = new ByteWriter(200);
    for (const v of varints) writer.varint(v);
    for (const z of zigzags) writer.zigzag(z);
    for (const w of words) writer.word(w);
    writer.alignToWord();
    assert.equal(writer.length % 4, 0);
    const reader = new ByteReader(writer.bytes(), writer.length);
    assert.deepEqual(
      varints.map(() => reader.varint()),
      varints,
    );
    assert.deepEqual(
      zigzags.map(() => reader.zigzag()),
      zigzags,
    );
    assert.deepEqual(
      words.map(() => reader.word()),
      words,
    );
    reader.skipAlignment();
    reader.expectEnd();
  });

  it('writes varints as LEB128', () => {
    const writer = new ByteWriter(8);
    writer.varint(300);
    writer.zigzag(-2);
    assert.deepEqual(Array.from(writer.bytes()), [0xac, 0x02, 0x03]);
  });

  it('refuses to write past its capacity', () => {
    const writer = new ByteWriter(1);
    assert.throws(() => {
      writer.varint(128);
    }, RangeError);
  });

  it('reports truncation with the offset', () => {
    const reader = readerOf([0x80, 0x80]);
    assert.throws(
      () => reader.varint(),
      (error: unknown) => error instanceof InvalidDataError && error.offset === 2,
    );
  });

  it('rejects varints longer than 8 bytes or beyond 2^53', () => {
    assert.throws(
      () => readerOf([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1]).varint(),
      /too long/,
    );
    assert.throws(
      () => readerOf([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]).varint(),
      /range/,
    );
  });

  it('rejects non-zero padding and trailing bytes', () => {
    assert.throws(() => {
      const reader = readerOf([1, 0, 1, 0]);
      reader.u8();
      reader.skipAlignment();
    }, /padding/);
    assert.throws(() => {
      readerOf([1]).expectEnd();
    }, /Trailing/);
  });
});
