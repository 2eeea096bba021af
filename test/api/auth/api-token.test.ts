/** API tokens: a public id, a random secret kept only as a digest. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  issueApiToken,
  parseApiToken,
  tokenSecretMatches,
} from '../../../src/api/auth/api-token.ts';

describe('API tokens', () => {
  it('are issued unique, parsed back, and matched by their secret only', () => {
    const issued = issueApiToken();
    const other = issueApiToken();
    assert.notEqual(issued.id, other.id);
    const parsed = parseApiToken(issued.text);
    assert.ok(parsed !== undefined);
    // NOTE: the secret is base64url, which may hold `_`; the parser, not a split, finds it.
    assert.equal(parsed.secret.length, 43);
    assert.ok(!issued.secretHash.includes(parsed.secret));
    assert.equal(parsed.id, issued.id);
    assert.equal(tokenSecretMatches(parsed.secret, issued.secretHash), true);
    const foreign = parseApiToken(other.text);
    assert.equal(tokenSecretMatches(foreign?.secret ?? '', issued.secretHash), false);
  });

  it('refuse text that is not shaped as a token', () => {
    const { text } = issueApiToken();
    for (const bad of [
      '',
      'alice',
      text.slice(0, -1),
      `${text}x`,
      text.replace('orzo_', 'ORZO_'),
    ]) {
      assert.equal(parseApiToken(bad), undefined, bad);
    }
  });
});
