import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { encodeFrame, FrameDecoder, FrameError } from '../../src/agent/frames.ts';

describe('frames', () => {
  it('decodes messages whatever the chunks they arrive in', () => {
    const messages = [{ a: 1 }, { op: 'dump', text: 'é ✓' }, { nested: { list: [1, 2] } }];
    const bytes = Buffer.concat(messages.map((message) => encodeFrame(message)));
    for (let size = 1; size <= bytes.length; size++) {
      const decoder = new FrameDecoder();
      const out = [];
      for (let start = 0; start < bytes.length; start += size) {
        out.push(...decoder.push(bytes.subarray(start, start + size)));
      }
      assert.deepEqual(out, messages);
      assert.equal(decoder.pendingBytes, 0);
    }
  });

  it('refuses a frame over the limit before reading it, and bodies that are not objects', () => {
    const decoder = new FrameDecoder(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101, 0);
    assert.throws(() => decoder.push(header), /more than 100/);
    for (const body of ['not json', '[1]', '3', 'null']) {
      const frame = Buffer.alloc(4 + body.length);
      frame.writeUInt32BE(body.length, 0);
      frame.write(body, 4);
      assert.throws(() => new FrameDecoder().push(frame), FrameError);
    }
  });

  it('only ever answers messages or a FrameError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          new FrameDecoder(1000).push(Buffer.from(bytes));
        } catch (error) {
          assert.ok(error instanceof FrameError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
