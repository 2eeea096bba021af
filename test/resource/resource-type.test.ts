import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  applyResourceTypePatch,
  InvalidResourceInputError,
  InvalidResourceTypeChangeError,
  parseResourceTypeInput,
  resourceTypeJson,
  ResourceTypePatchError,
} from '../../src/resource/index.ts';

const input = {
  name: 'my_type',
  attributes: {
    name: { type: 'string', min_length: 2, max_length: 10 },
    size: { type: 'number', required: false, min: 0, max: 100 },
    'new-optional-bool': { type: 'bool', required: false },
    when: { type: 'datetime' },
    image: { type: 'uuid' },
  },
};

describe('resource types', () => {
  it('reads a definition with its defaults and shows it as Gnocchi does', () => {
    assert.deepEqual(resourceTypeJson(parseResourceTypeInput(input)), {
      name: 'my_type',
      state: 'active',
      attributes: {
        name: { type: 'string', required: true, min_length: 2, max_length: 10 },
        size: { type: 'number', required: false, min: 0, max: 100 },
        'new-optional-bool': { type: 'bool', required: false },
        when: { type: 'datetime', required: true },
        image: { type: 'uuid', required: true },
      },
    });
    assert.deepEqual(
      resourceTypeJson(parseResourceTypeInput({ name: 's', attributes: { a: { type: 'string' } } }))
        .attributes,
      { a: { type: 'string', required: true, min_length: 0, max_length: 256 } },
    );
  });

  it('refuses bad names, types, ranges and keys, in Gnocchi words', () => {
    const refusals: [unknown, RegExp][] = [
      [
        { name: 't', attributes: { id: { type: 'string' } } },
        /Resource attribute name id is invalid/,
      ],
      [{ name: 't', attributes: { _x: { type: 'string' } } }, /name _x is invalid/],
      [{ name: 't', attributes: { a: { type: 'text' } } }, /not a valid value/],
      [
        { name: 't', attributes: { a: { type: 'number', min: 5, max: 1 } } },
        /min \(or min_length\) 5 must be less {2}than or equal to max \(or max_length\) 1!/,
      ],
      [{ name: 't', attributes: { a: { type: 'string', max_length: 257 } } }, /at most 256/],
      [{ name: 't', attributes: { a: { type: 'uuid', min: 1 } } }, /extra keys not allowed/],
      [{ name: 't', extra: 1 }, /extra keys not allowed/],
      [{ attributes: {} }, /required key not provided/],
      [{ name: 'a/b' }, /not a valid value/],
    ];
    for (const [definition, message] of refusals) {
      assert.throws(() => parseResourceTypeInput(definition), message, JSON.stringify(definition));
    }
  });

  it('patches attributes in and out, with fills for required ones', () => {
    const type = parseResourceTypeInput(input);
    const change = applyResourceTypePatch(type, [
      { op: 'add', path: '/attributes/zone', value: { type: 'string', options: { fill: 'eu' } } },
      { op: 'add', path: '/attributes/note', value: { type: 'string', required: false } },
      { op: 'remove', path: '/attributes/size' },
    ]);
    assert.deepEqual(change.removed, ['size']);
    assert.deepEqual(change.filled, { zone: 'eu' });
    assert.deepEqual(Object.keys(change.type.attributes).sort(), [
      'image',
      'name',
      'new-optional-bool',
      'note',
      'when',
      'zone',
    ]);
    assert.equal(change.type.attributes.name, type.attributes.name);
  });

  it('refuses patches Gnocchi refuses', () => {
    const type = parseResourceTypeInput(input);
    assert.throws(
      () => applyResourceTypePatch(type, [{ op: 'remove', path: '/attributes/what' }]),
      (error: unknown) =>
        error instanceof ResourceTypePatchError &&
        error.message === "can't remove a non-existent object 'what'",
    );
    assert.throws(
      () =>
        applyResourceTypePatch(type, [
          { op: 'add', path: '/attributes/m', value: { type: 'string' } },
        ]),
      {
        message:
          "Invalid input: Option 'fill' of resource attribute m is invalid: must not be empty if required=True",
      },
    );
    assert.throws(
      () =>
        applyResourceTypePatch(type, [
          { op: 'add', path: '/attributes/m', value: { type: 'number', options: { fill: 'x' } } },
        ]),
      /Option 'fill' of resource attribute m is invalid: expected Real/,
    );
    assert.throws(
      () =>
        applyResourceTypePatch(type, [
          { op: 'add', path: '/attributes/name', value: { type: 'number', required: false } },
        ]),
      (error: unknown) =>
        error instanceof InvalidResourceTypeChangeError &&
        error.message ===
          'Type update is not available yet. Changing string to number for attribute name of resource my_type',
    );
    assert.throws(
      () => applyResourceTypePatch(type, [{ op: 'replace', path: '/attributes/name' }]),
      {
        path: [0, 'op'],
      },
    );
    assert.throws(
      () => applyResourceTypePatch(type, [{ op: 'add', path: '/name', value: 'x' }]),
      InvalidResourceInputError,
    );
  });
});
