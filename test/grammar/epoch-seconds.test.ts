import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { epochSecondsToMicros, epochTextToMicros } from '../../src/grammar/epoch-seconds.ts';

const MAX_EXACT = 2 ** 33 * 1_000_000;

describe('epochSecondsToMicros', () => {
  it('gives back every whole microsecond written as seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_EXACT }), (micros) => {
        assert.equal(epochSecondsToMicros(Number(microsAsSecondsText(micros))), micros);
      }),
      { numRuns: 5000 },
    );
  });

  it('floors the shortest decimal of the double', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 33, noNaN: true }), (seconds) => {
        const expected = floorDecimalMicros(String(seconds));
        assert.equal(epochSecondsToMicros(seconds), expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('is right where the float product is not', () => {
    assert.equal(0.000249 * 1e6, 248.99999999999997);
    assert.equal(epochSecondsToMicros(0.000249), 249);
    assert.equal(epochSecondsToMicros(-0.000001), -1);
  });
});

describe('epochTextToMicros', () => {
  it('reads plain decimals digit by digit, flooring', () => {
    assert.equal(epochTextToMicros(' 12.3456789 ', 12.3456789), 12_345_678);
    assert.equal(epochTextToMicros('1_000.5', 1000.5), 1_000_500_000);
    assert.equal(epochTextToMicros('7.', 7), 7_000_000);
    assert.equal(epochTextToMicros('1.5e3', 1500), 1_500_000_000);
  });
});

function microsAsSecondsText(micros: number): string {
  const text = String(micros).padStart(7, '0');
  return `${text.slice(0, -6)}.${text.slice(-6)}`;
}

/** Floor(decimal × 1e6) computed on the digits with BigInt. */
function floorDecimalMicros(text: string): number {
  const [mantissa = '', exponentText = '0'] = text.toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = BigInt(whole + fraction);
  const exponent = Number(exponentText) - fraction.length + 6;
  const scaled =
    exponent >= 0 ? digits * 10n ** BigInt(exponent) : digits / 10n ** BigInt(-exponent);
  return Number(scaled);
}
