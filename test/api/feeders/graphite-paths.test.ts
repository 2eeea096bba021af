import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GraphitePathError,
  GraphitePaths,
  GraphiteRuleError,
} from '../../../src/api/feeders/graphite-paths.ts';

describe('GraphitePaths', () => {
  const paths = new GraphitePaths({
    rules: [
      { pattern: '^collectd\\.(?<resource>[^.]+)\\.(?<metric>.+)$', resourceType: 'host' },
      { pattern: '^apps\\.(?<metric>[^.]+)\\.(?<resource>[^.]+)$' },
    ],
    resourceType: 'generic',
    resourceComponents: 2,
  });

  it('maps by the first rule that matches, with its resource type or the default', () => {
    assert.deepEqual(paths.map('collectd.web01.load.load.shortterm'), {
      resourceType: 'host',
      resourceId: 'web01',
      metric: 'load.load.shortterm',
    });
    assert.deepEqual(paths.map('apps.requests.shop'), {
      resourceType: 'generic',
      resourceId: 'shop',
      metric: 'requests',
    });
  });

  it('splits other paths after resourceComponents components', () => {
    assert.deepEqual(paths.map('dc1.web01.cpu.user'), {
      resourceType: 'generic',
      resourceId: 'dc1.web01',
      metric: 'cpu.user',
    });
    assert.throws(() => paths.map('dc1.web01'), GraphitePathError);
  });

  it('refuses ids and names the engine would refuse', () => {
    const loose = new GraphitePaths({ rules: [], resourceType: 'generic', resourceComponents: 1 });
    assert.throws(() => loose.map(`${'r'.repeat(300)}.m`), /resource id longer/);
    assert.throws(() => loose.map(`r.${'m'.repeat(256)}`), /metric name longer/);
  });

  it('refuses rules that are not regular expressions with both groups', () => {
    const make = (pattern: string) =>
      new GraphitePaths({ rules: [{ pattern }], resourceType: 'generic', resourceComponents: 1 });
    assert.throws(() => make('(unclosed'), GraphiteRuleError);
    assert.throws(() => make('^(?<resource>.+)$'), /no named group `metric'/);
    assert.throws(() => make('^(?<metric>.+)$'), /no named group `resource'/);
  });
});
