import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { packagePath } from '../../src/fs/package-root.ts';
import { keepStringPrototypeFast } from '../../src/redis/keep-string-prototype-fast.ts';

/**
 * Runs `body` as a module in a child Node with V8's natives syntax (`%HasFastProperties`, written
 * `fast()` here), which a test process cannot switch on for itself, and returns what it printed.
 */
function inChild(body: string): unknown {
  const module = packagePath('src', 'redis', 'keep-string-prototype-fast.ts');
  const source = [
    `import { keepStringPrototypeFast } from ${JSON.stringify(module)};`,
    `const fast = () => eval('%HasFastProperties(String.prototype)');`,
    body,
  ].join('\n');
  const output = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '--eval', source],
    { cwd: packagePath(), encoding: 'utf8' },
  );
  return JSON.parse(output);
}

describe('keepStringPrototypeFast', () => {
  it('makes String.prototype fast again after a subclass of String, and keeps it so', () => {
    const seen = inChild(`
      const states = [fast()];
      class Verbatim extends String {}
      new Verbatim('x');
      states.push(fast());
      keepStringPrototypeFast();
      states.push(fast());
      class Later extends String {}
      new Later('y');
      states.push(fast());
      console.log(JSON.stringify(states));
    `);
    // NOTE: fast at start; a subclass takes that away (the cause); the call gives it back, and a
    // later subclass does not take it again.
    assert.deepEqual(seen, [true, false, true, true]);
  });

  it('undoes what loading ioredis does', () => {
    const seen = inChild(`
      await import('ioredis');
      const loaded = fast();
      keepStringPrototypeFast();
      console.log(JSON.stringify([loaded, fast()]));
    `);
    assert.deepEqual(seen, [false, true]);
  });

  it('changes nothing a string method answers', () => {
    keepStringPrototypeFast();
    assert.equal('2026-12-07T00:00:00Z'.charCodeAt(4), 45);
    assert.equal('metric_2026'.slice(7), '2026');
    assert.equal(Object.getOwnPropertyNames(String.prototype).includes('charCodeAt'), true);
  });
});
