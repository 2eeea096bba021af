import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  daysFromCivil,
  parseCommonIsoBytes,
  parseIsoTimestamp,
} from '../../src/grammar/iso-timestamp.ts';

describe('daysFromCivil', () => {
  it('agrees with Date.UTC over the proleptic Gregorian calendar', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
        (date) => {
          const days = daysFromCivil(
            date.getUTCFullYear(),
            date.getUTCMonth() + 1,
            date.getUTCDate(),
          );
          assert.equal(days, Math.floor(date.getTime() / 86_400_000));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseIsoTimestamp', () => {
  it('reads what Date#toISOString writes', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(0), max: new Date(7e12), noInvalidDate: true }),
        (date) => {
          assert.equal(parseIsoTimestamp(date.toISOString(), 0), date.getTime() * 1000);
        },
      ),
    );
  });

  it('returns undefined for what is not ISO 8601', () => {
    for (const text of ['2015', '20150306', '2015-03-06T', '2015-03-06T14:3', '2015-W10', 'now ']) {
      assert.equal(parseIsoTimestamp(text, 0), undefined, text);
    }
  });
});

describe('parseIsoTimestamp on the common form', () => {
  const digits = (length: number): fc.Arbitrary<string> =>
    fc.string({
      unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
      minLength: length,
      maxLength: length,
    });
  // NOTE: near-misses of `YYYY-MM-DDTHH:MM:SS[.f…][Z|+00:00]`: out-of-range fields, odd
  // fractions and suffixes, so that both the fast reader's yes and its no are exercised.
  const commonForm = fc
    .tuple(
      fc.constantFrom('19', '20', '00', '99'),
      digits(2),
      fc.constantFrom('01', '02', '09', '12', '13', '00'),
      fc.constantFrom('01', '28', '29', '30', '31', '32'),
      fc.constantFrom('00', '12', '23', '24'),
      fc.constantFrom('00', '30', '59', '60'),
      fc.constantFrom('00', '30', '59', '60'),
      fc.oneof(fc.constant(''), fc.constant('.'), digits(1), digits(6), digits(9), digits(19)),
      fc.constantFrom('', 'Z', '+00:00', '+01:00', '-00:00', 'z', ' ', '+0000', 'ZZ'),
    )
    .map(([c, y, mo, d, h, mi, s, fraction, suffix]) => {
      const fractionPart = fraction === '' ? '' : fraction === '.' ? '.' : `.${fraction}`;
      return `${c}${y}-${mo}-${d}T${h}:${mi}:${s}${fractionPart}${suffix}`;
    });

  it('answers as the general reader does', () => {
    fc.assert(
      fc.property(commonForm, (text) => {
        // NOTE: a leading blank is legal and keeps a timestamp off the fast reader.
        assert.equal(parseIsoTimestamp(text, 0), parseIsoTimestamp(` ${text}`, 0), text);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the same from bytes within a larger buffer, or leaves it to the string reader', () => {
    let read = 0;
    fc.assert(
      fc.property(commonForm, fc.string(), fc.string(), (text, before, after) => {
        const bytes = Buffer.from(`${before}${text}${after}`, 'latin1');
        const start = Buffer.byteLength(before, 'latin1');
        const micros = parseCommonIsoBytes(bytes, start, start + text.length);
        if (micros !== undefined) read++;
        assert.equal(micros ?? parseIsoTimestamp(text, 0), parseIsoTimestamp(text, 0), text);
      }),
      { numRuns: 5000 },
    );
    // NOTE: about one in twenty is well formed; a reader that always declined would pass above.
    assert.ok(read > 100, `only ${read} read from bytes`);
    const iso = new Date(Date.UTC(2026, 11, 7, 21, 30, 5, 123)).toISOString();
    const bytes = Buffer.from(`"${iso}"`, 'latin1');
    assert.equal(parseCommonIsoBytes(bytes, 1, bytes.length - 1), parseIsoTimestamp(iso, 0));
  });

  it('reads fractions to the microsecond, flooring the rest', () => {
    assert.equal(parseIsoTimestamp('1970-01-01T00:00:01.1234569Z', 0), 1_123_456);
    assert.equal(parseIsoTimestamp('1970-01-01T00:00:00.5', 0), 500_000);
    assert.equal(parseIsoTimestamp('2016-02-29T12:00:00+00:00', 0), 1_456_747_200_000_000);
    assert.equal(parseIsoTimestamp('2015-02-29T12:00:00', 0), undefined);
  });
});
