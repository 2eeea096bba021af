import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AGENT_HOSTS_GROUP,
  BUILT_IN_GROUPS,
  DEFAULT_DETECTION_SETTINGS,
  InvalidSubhealthSettingsError,
  METRICD_WORKERS_GROUP,
  patchGroup,
  resolveGroup,
} from '../../src/subhealth/index.ts';

const USER_GROUP = {
  resourceType: 'instance',
  waits: [{ name: 'steal', metrics: ['cpu_steal'] }],
  loads: [{ name: 'cpu', metrics: ['cpu_util'] }],
};

describe('resolveGroup', () => {
  it('gives the built-in groups off, with the detector defaults and a 30 s interval', () => {
    for (const name of [METRICD_WORKERS_GROUP, AGENT_HOSTS_GROUP]) {
      const group = resolveGroup(name, {});
      assert.equal(group.enabled, false);
      assert.equal(group.intervalSeconds, 30);
      assert.equal(group.minShare, DEFAULT_DETECTION_SETTINGS.minShare);
      assert.deepEqual(group, BUILT_IN_GROUPS[name]);
    }
  });

  it('lays what is stored over the defaults', () => {
    const group = resolveGroup(METRICD_WORKERS_GROUP, {
      enabled: true,
      consecutive: 5,
      strategy: 'share',
    });
    assert.equal(group.enabled, true);
    assert.equal(group.consecutive, 5);
    assert.equal(group.strategy, 'share');
    assert.equal(group.resourceType, 'metricd_worker');
  });

  it('makes a user group from its type and signals', () => {
    const group = resolveGroup('tenants', { ...USER_GROUP, filter: { flavor: 'm1.small' } });
    assert.equal(group.resourceType, 'instance');
    assert.deepEqual(group.filter, { flavor: 'm1.small' });
    assert.equal(group.nameAttribute, null);
  });

  it('refuses what cannot be applied, saying what', () => {
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['tenants', {}, /resourceType must name/],
      ['tenants', { resourceType: 'instance' }, /waits must list/],
      ['bad name!', {}, /a name is/],
      [METRICD_WORKERS_GROUP, { minShare: 1.5 }, /minShare must be a number from 0 to 1/],
      [METRICD_WORKERS_GROUP, { consecutive: 1.5 }, /consecutive must be an integer/],
      [METRICD_WORKERS_GROUP, { minInstances: 1 }, /minInstances must be an integer from 2/],
      [METRICD_WORKERS_GROUP, { intervalSeconds: 0 }, /intervalSeconds/],
      [METRICD_WORKERS_GROUP, { settleSeconds: -1 }, /settleSeconds must be a number from 0/],
      [METRICD_WORKERS_GROUP, { enabled: 'yes' }, /enabled must be true or false/],
      [METRICD_WORKERS_GROUP, { strategy: 'vote' }, /strategy must be one of share, mad/],
      [METRICD_WORKERS_GROUP, { colour: 'red' }, /unknown setting colour/],
      [METRICD_WORKERS_GROUP, { filter: { a: [1] } }, /filter.a must be/],
      [METRICD_WORKERS_GROUP, { waits: [{ name: 'x', metrics: [] }] }, /waits\[0\].metrics/],
      [
        METRICD_WORKERS_GROUP,
        {
          loads: [
            { name: 'x', metrics: ['a'] },
            { name: 'x', metrics: ['b'] },
          ],
        },
        /loads\[1\].name must be a distinct name/,
      ],
    ];
    for (const [name, stored, message] of refusals) {
      assert.throws(
        () => resolveGroup(name, stored),
        (error: unknown) =>
          error instanceof InvalidSubhealthSettingsError && message.test(error.message),
        `${name} ${JSON.stringify(stored)}`,
      );
    }
  });
});

describe('patchGroup', () => {
  it('changes only the keys given, null going back to the default', () => {
    const once = patchGroup(METRICD_WORKERS_GROUP, undefined, { enabled: true, minShare: 0.6 });
    assert.deepEqual(once, { enabled: true, minShare: 0.6 });
    const twice = patchGroup(METRICD_WORKERS_GROUP, once, { minShare: null, dryRun: true });
    assert.deepEqual(twice, { enabled: true, dryRun: true });
  });

  it('refuses a patch whose result cannot be applied, leaving nothing changed', () => {
    const stored = { enabled: true };
    assert.throws(() => patchGroup(METRICD_WORKERS_GROUP, stored, { clearAfter: 0 }), /clearAfter/);
    assert.deepEqual(stored, { enabled: true });
  });
});
