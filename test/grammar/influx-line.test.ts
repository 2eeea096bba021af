import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  INFLUX_PRECISIONS,
  InfluxLineError,
  parseInfluxLine,
  type InfluxLine,
} from '../../src/grammar/influx-line.ts';

/** A line as plain objects, for deepEqual. */
function plain(line: InfluxLine | undefined): unknown {
  if (line === undefined) return undefined;
  return {
    measurement: line.measurement,
    tags: Object.fromEntries(line.tags),
    fields: Object.fromEntries(line.fields),
    timestampUs: line.timestampUs,
  };
}

describe('parseInfluxLine', () => {
  it('reads measurement, tags, fields of every kind and a nanosecond timestamp', () => {
    assert.deepEqual(
      plain(
        parseInfluxLine(
          'cpu,host=web1,zone=a usage=0.5,idle=12i,big=7u,up=t,down=FALSE,name="a \\"b\\" \\\\c" 1767225600123456789',
        ),
      ),
      {
        measurement: 'cpu',
        tags: { host: 'web1', zone: 'a' },
        fields: { usage: 0.5, idle: 12, big: 7, up: 1, down: 0, name: 'a "b" \\c' },
        timestampUs: 1_767_225_600_123_456,
      },
    );
  });

  it('unescapes commas, spaces and equals signs where InfluxDB escapes them', () => {
    assert.deepEqual(
      plain(parseInfluxLine('disk\\ io\\,x,mount\\ point=/var\\,lib,k\\=y=v\\ w free\\ bytes=1')),
      {
        measurement: 'disk io,x',
        tags: { 'mount point': '/var,lib', 'k=y': 'v w' },
        fields: { 'free bytes': 1 },
        timestampUs: undefined,
      },
    );
  });

  it('reads numbers as InfluxDB writes them', () => {
    const value = (text: string) => parseInfluxLine(`m v=${text}`)?.fields.get('v');
    assert.equal(value('1'), 1);
    assert.equal(value('-1.5e3'), -1500);
    assert.equal(value('.5'), 0.5);
    assert.equal(value('+2.'), 2);
    assert.equal(value('-3i'), -3);
    assert.equal(value('1E-2'), 0.01);
  });

  it('reads timestamps in each precision, negative ones too', () => {
    assert.equal(
      parseInfluxLine('m v=1 1767225600', INFLUX_PRECISIONS.s)?.timestampUs,
      1_767_225_600_000_000,
    );
    assert.equal(
      parseInfluxLine('m v=1 29453760', INFLUX_PRECISIONS.m)?.timestampUs,
      1_767_225_600_000_000,
    );
    assert.equal(
      parseInfluxLine('m v=1 1767225600001', INFLUX_PRECISIONS.ms)?.timestampUs,
      1_767_225_600_001_000,
    );
    assert.equal(
      parseInfluxLine('m v=1 1767225600000001', INFLUX_PRECISIONS.u)?.timestampUs,
      1_767_225_600_000_001,
    );
    assert.equal(parseInfluxLine('m v=1 -1000')?.timestampUs, -1);
  });

  it('skips empty lines and comments, and a carriage return at the end', () => {
    assert.equal(parseInfluxLine(''), undefined);
    assert.equal(parseInfluxLine('   '), undefined);
    assert.equal(parseInfluxLine('# cpu v=1'), undefined);
    assert.equal(parseInfluxLine('m v=1 5000\r')?.timestampUs, 5);
  });

  it('refuses what is not line protocol, saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['cpu', /missing fields/],
      ['cpu ', /invalid field/],
      [',host=a v=1', /missing measurement/],
      ['cpu,host v=1', /invalid tag/],
      ['cpu,host= v=1', /missing value of tag host/],
      ['cpu v=', /missing field value/],
      ['cpu v=abc', /invalid field value abc/],
      ['cpu v=1x', /invalid field value 1x/],
      ['cpu v="open', /unterminated string/],
      ['cpu v=-1u', /negative unsigned/],
      ['cpu v=1 12.5', /invalid timestamp/],
      ['cpu v=1 1 2', /invalid timestamp/],
      ['cpu v=1e999', /out of range/],
      ['cpu v=1 99999999999999999999', /out of range/],
    ];
    for (const [line, message] of cases) {
      assert.throws(
        () => parseInfluxLine(line, line.endsWith('99') ? INFLUX_PRECISIONS.s : undefined),
        (error: Error) => error instanceof InfluxLineError && message.test(error.message),
        line,
      );
    }
  });

  it('reads back what an escaping writer writes, for any names, tags and values', () => {
    const escapeKey = (text: string) => text.replace(/[,= \\]/g, (char) => `\\${char}`);
    const escapeMeasurement = (text: string) => text.replace(/[, \\]/g, (char) => `\\${char}`);
    const name = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((text) => !/[\n\r]/.test(text) && !text.endsWith('\\') && !text.includes('\\'));
    fc.assert(
      fc.property(
        name.filter((text) => !text.startsWith('#') && text.trim() === text),
        fc.dictionary(name, name, { maxKeys: 4 }),
        fc.dictionary(
          name,
          // NOTE: a writer writes -0 as 0.
          fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => value || 0),
          {
            minKeys: 1,
            maxKeys: 4,
          },
        ),
        fc.option(fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }), { nil: undefined }),
        (measurement, tags, fields, timestamp) => {
          const text =
            escapeMeasurement(measurement) +
            Object.entries(tags)
              .map(([key, value]) => `,${escapeKey(key)}=${escapeKey(value)}`)
              .join('') +
            ' ' +
            Object.entries(fields)
              .map(([key, value]) => `${escapeKey(key)}=${String(value)}`)
              .join(',') +
            (timestamp === undefined ? '' : ` ${String(timestamp)}`);
          const line = parseInfluxLine(text);
          assert.ok(line);
          assert.equal(line.measurement, measurement);
          assert.deepEqual(Object.fromEntries(line.tags), { ...tags });
          assert.deepEqual(Object.fromEntries(line.fields), { ...fields });
          assert.equal(
            line.timestampUs,
            timestamp === undefined ? undefined : Number(timestamp / 1000n),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never fails other than with InfluxLineError, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseInfluxLine(text);
        } catch (error) {
          assert.ok(error instanceof InfluxLineError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
