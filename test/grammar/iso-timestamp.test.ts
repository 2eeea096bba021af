import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { daysFromCivil, parseIsoTimestamp } from '../../src/grammar/iso-timestamp.ts';

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
