import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isCanonicalUuid, normalizeUuid } from '../../src/grammar/uuid.ts';

const ID = 'edd43480-fc99-4884-8de3-a527c1ce72f5';

describe('normalizeUuid', () => {
  // The forms Python's uuid.UUID(text) takes.
  const accepted = [
    ID,
    ID.toUpperCase(),
    ID.replaceAll('-', ''),
    `{${ID}}`,
    `urn:uuid:${ID}`,
    `uuid:${ID}`,
    'edd4-3480fc99-48848de3a527c1ce72f5',
    `}${ID}{`,
    `{{${ID.replaceAll('-', '')}}}`,
    `urn:uuid:{${ID}}`,
  ];
  for (const text of accepted) {
    it(`reads ${text}`, () => {
      assert.equal(normalizeUuid(text), ID);
    });
  }
  const refused = [
    '',
    'foo',
    ID.slice(1),
    `${ID}0`,
    ` ${ID}`,
    `URN:UUID:${ID}`,
    `0x${ID.replaceAll('-', '').slice(2)}`,
  ];
  for (const text of refused) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.equal(normalizeUuid(text), undefined);
    });
  }

  it('recognises the canonical form only', () => {
    assert.equal(isCanonicalUuid(ID), true);
    assert.equal(isCanonicalUuid(ID.toUpperCase()), false);
  });
});
