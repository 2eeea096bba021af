import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidResourceIdError, transformResourceId } from '../../src/grammar/index.ts';

describe('transformResourceId', () => {
  it("hashes an external id with the caller's creator, as Gnocchi does", () => {
    // NOTE: the expected ids come from Python's uuid.uuid5 under Gnocchi's namespace.
    assert.equal(transformResourceId('1.2.3.4', 'foobar'), 'a9c729cc-d1b0-5e6b-b5ba-8b5a7f45f1fc');
    assert.equal(transformResourceId('héllo', undefined), '498d5cd9-e6f0-57c7-8556-c554afd1d08c');
    assert.notEqual(transformResourceId('host', 'a'), transformResourceId('host', 'b'));
  });

  it('keeps a UUID in any form, canonical', () => {
    assert.equal(
      transformResourceId('{5A301761F78B46E289008B4F6FE6675A}', 'x'),
      '5a301761-f78b-46e2-8900-8b4f6fe6675a',
    );
  });

  it('refuses a slash and an id too long', () => {
    assert.throws(() => transformResourceId('a/b', 'x'), InvalidResourceIdError);
    assert.throws(() => transformResourceId('x'.repeat(290), 'x'), /max allowed characters/);
    assert.doesNotThrow(() => transformResourceId('é'.repeat(289), 'x'));
  });
});
