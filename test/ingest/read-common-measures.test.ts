import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  parseMeasures,
  parseMeasuresBatch,
  readCommonMeasuresBatch,
  readCommonMeasuresList,
  type MeasureBatch,
} from '../../src/ingest/index.ts';
import { mulberry32 } from '../support/mulberry32.ts';

const NOW = 1_800_000_000_000_000;

/** Whether two batches hold the same doubles, bit for bit (−0 and NaN payloads included). */
function sameBits(a: MeasureBatch, b: MeasureBatch): boolean {
  const bytes = (array: Float64Array): Buffer =>
    Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  return bytes(a.timestamps).equals(bytes(b.timestamps)) && bytes(a.values).equals(bytes(b.values));
}

/** What the general reader makes of a list body, or its error. */
function generalList(text: string): MeasureBatch | Error {
  try {
    return parseMeasures(JSON.parse(text), { now: NOW });
  } catch (error) {
    return error as Error;
  }
}

/** Random bodies in the common form, and near it, from a seeded generator. */
class BodyMaker {
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  pick<T>(choices: readonly T[]): T {
    return choices[Math.floor(this.#random() * choices.length)] as T;
  }

  int(below: number): number {
    return Math.floor(this.#random() * below);
  }

  space(): string {
    return this.pick(['', '', '', ' ', '\n', '\t', '\r\n  ']);
  }

  timestamp(): string {
    const ms = Date.UTC(1970, 0, 1) + this.int(130 * 365) * 86_400_000 + this.int(86_400_000);
    const iso = new Date(ms).toISOString().slice(0, 19);
    const digits = this.int(10);
    const fraction = digits === 0 ? '' : `.${String(this.int(10 ** digits)).padStart(digits, '0')}`;
    return `"${iso}${fraction}${this.pick(['', 'Z', '+00:00'])}"`;
  }

  digits(count: number): string {
    let text = String(1 + this.int(9));
    for (let i = 1; i < count; i++) text += String(this.int(10));
    return text;
  }

  number(): string {
    const sign = this.pick(['', '', '-']);
    switch (this.int(8)) {
      case 0:
        return `${sign}${this.digits(1 + this.int(20))}`;
      case 1:
        return `${sign}${this.digits(1 + this.int(8))}.${this.digits(1 + this.int(12))}`;
      case 2:
        return `${sign}0.${'0'.repeat(this.int(6))}${this.digits(1 + this.int(18))}`;
      case 3:
        return `${sign}${this.digits(1 + this.int(4))}${this.pick(['e', 'E'])}${this.pick(['', '+', '-'])}${this.int(40)}`;
      case 4:
        return JSON.stringify((this.#random() - 0.5) * 10 ** this.int(20));
      case 5:
        return this.pick(['0', '-0', '0.0', '-0.0', '5e-324', '1.7976931348623157e308', '1e400']);
      default:
        return JSON.stringify(Math.round((this.#random() - 0.5) * 10_000) / 100);
    }
  }

  measure(): string {
    const s = (): string => this.space();
    const timestamp = `${s()}"timestamp"${s()}:${s()}${this.timestamp()}${s()}`;
    const value = `${s()}"value"${s()}:${s()}${this.number()}${s()}`;
    return `{${this.int(2) === 0 ? `${timestamp},${value}` : `${value},${timestamp}`}}`;
  }

  list(): string {
    const measures = Array.from({ length: this.int(30) }, () => this.measure());
    return `${this.space()}[${this.space()}${measures.join(`${this.space()},${this.space()}`)}${this.space()}]${this.space()}`;
  }

  metricId(): string {
    const hex = (length: number): string =>
      Array.from({ length }, () => this.int(16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  }

  batch(): string {
    const entries = Array.from(
      { length: this.int(6) },
      () => `${this.space()}"${this.metricId()}"${this.space()}:${this.list()}`,
    );
    return `${this.space()}{${entries.join(',')}${this.space()}}${this.space()}`;
  }
}

describe('readCommonMeasuresList', () => {
  it('reads every common list as the general reader does, bit for bit', () => {
    const maker = new BodyMaker(7);
    for (let i = 0; i < 3000; i++) {
      const text = maker.list();
      const fast = readCommonMeasuresList(Buffer.from(text));
      assert.ok(fast !== undefined, text);
      const general = generalList(text);
      assert.ok(!(general instanceof Error), text);
      assert.ok(sameBits(fast, general), text);
    }
  });

  it('leaves to the general reader what is off the common form', () => {
    const measure = (timestamp: string, value = '1'): string =>
      `[{"timestamp": ${timestamp}, "value": ${value}}]`;
    const offForm = [
      measure('1700000000'),
      measure('"1700000000"'),
      measure('"2026-01-01 00:00:00"'),
      measure('"2026-01-01T00:00:00+01:00"'),
      measure('"2026-01-01T00:00:00\\u005a"'),
      measure('"2026-01-01T00:00:00Zé"'),
      measure('"1969-12-31T23:59:59Z"'),
      measure('"2026-02-30T00:00:00Z"'),
      measure('"now"'),
      measure('"-5 minutes"'),
      measure('"2026-01-01T00:00:00Z"', '"1.5"'),
      measure('"2026-01-01T00:00:00Z"', 'NaN'),
      measure('"2026-01-01T00:00:00Z"', '-Infinity'),
      measure('"2026-01-01T00:00:00Z"', 'true'),
      measure('"2026-01-01T00:00:00Z"', 'null'),
      measure('"2026-01-01T00:00:00Z"', '[1]'),
      ...['01', '1.', '.5', '+1', '-', '1e', '1e+', '0x10', '1_000'].map((value) =>
        measure('"2026-01-01T00:00:00Z"', value),
      ),
      '[{"timestamp": "2026-01-01T00:00:00Z"}]',
      '[{"value": 1}]',
      '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1, "unit": "s"}]',
      '[{"timestamp": "2026-01-01T00:00:00Z", "timestamp": "2026-01-01T00:00:01Z"}]',
      '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1, "value": 2}]',
      '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1}] x',
      '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1}][]',
      '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1},]',
      '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1}',
      '\ufeff[{"timestamp": "2026-01-01T00:00:00Z", "value": 1}]',
      '[{"time\\u0073tamp": "2026-01-01T00:00:00Z", "value": 1}]',
      '{"timestamp": "2026-01-01T00:00:00Z", "value": 1}',
      '[[1, 2]]',
      '',
      '  ',
    ];
    for (const text of offForm) {
      assert.equal(readCommonMeasuresList(Buffer.from(text)), undefined, text);
    }
  });

  it('reads a list at an offset into a larger buffer', () => {
    const text = '[{"timestamp": "2026-01-01T00:00:00Z", "value": 2.5}]';
    const larger = Buffer.from(`xxxx${text}`);
    const fast = readCommonMeasuresList(larger.subarray(4));
    assert.deepEqual(fast, generalList(text));
  });
});

describe('readCommonMeasuresBatch', () => {
  it('reads every common batch as the general reader does, in body order', () => {
    const maker = new BodyMaker(11);
    for (let i = 0; i < 1000; i++) {
      const text = maker.batch();
      const fast = readCommonMeasuresBatch(Buffer.from(text));
      assert.ok(fast !== undefined, text);
      const general = parseMeasuresBatch(JSON.parse(text), { now: NOW });
      assert.deepEqual([...fast.keys()], [...general.keys()], text);
      for (const [metricId, batch] of fast) {
        assert.ok(sameBits(batch, general.get(metricId) as MeasureBatch), text);
      }
    }
  });

  it('leaves to the general reader what is off the common form', () => {
    const list = '[{"timestamp": "2026-01-01T00:00:00Z", "value": 1}]';
    const id = '5f2a4a43-8fb5-4d9b-9e2c-3c9b6bb1f0a1';
    const offForm = [
      `{"${id.toUpperCase()}": ${list}}`,
      `{"{${id}}": ${list}}`,
      `{"${id.replaceAll('-', '')}": ${list}}`,
      `{"${id}": ${list}, "${id}": ${list}}`,
      `{"${id}": {"timestamp": "2026-01-01T00:00:00Z", "value": 1}}`,
      `{"${id}": [{"timestamp": 1700000000, "value": 1}]}`,
      `{"${id}": ${list},}`,
      `{"${id}": ${list}} x`,
      `{"short": ${list}}`,
      `{"${id}" ${list}}`,
      `[${list}]`,
    ];
    for (const text of offForm) {
      assert.equal(readCommonMeasuresBatch(Buffer.from(text)), undefined, text);
    }
    assert.deepEqual(readCommonMeasuresBatch(Buffer.from(' {} ')), new Map());
  });
});
