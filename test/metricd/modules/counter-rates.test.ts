import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  counterRate,
  CounterRates,
  isCounter,
} from '../../../src/metricd/modules/counter-rates.ts';

describe('counterRate', () => {
  it('is the increase per second', () => {
    assert.equal(counterRate({ time: 0, value: 100 }, { time: 2000, value: 160 }), 30);
    assert.equal(counterRate({ time: 0, value: 5 }, { time: 1000, value: 5 }), 0);
  });

  it('counts a reset from zero', () => {
    assert.equal(counterRate({ time: 0, value: 1_000_000 }, { time: 10_000, value: 50 }), 5);
  });

  it('counts a 32-bit and a 64-bit wrap across the top', () => {
    assert.equal(counterRate({ time: 0, value: 2 ** 32 - 100 }, { time: 1000, value: 50 }), 150);
    assert.equal(
      counterRate({ time: 0, value: 2 ** 64 - 2 ** 12 }, { time: 1000, value: 0 }),
      2 ** 12,
    );
  });

  it('has none when time did not advance', () => {
    assert.equal(counterRate({ time: 1000, value: 1 }, { time: 1000, value: 2 }), undefined);
  });
});

describe('CounterRates', () => {
  it('goes on from the last committed reading of each host and metric', () => {
    const rates = new CounterRates();
    assert.equal(rates.rate('a', 'm', { time: 0, value: 10 }), undefined);
    assert.equal(rates.rate('a', 'm', { time: 1000, value: 20 }), 10);
    rates.commit('a');
    assert.equal(rates.rate('b', 'm', { time: 1000, value: 500 }), undefined);
    assert.equal(rates.rate('a', 'm', { time: 2000, value: 40 }), 20);
  });

  it('gives the same rates again for readings whose store failed', () => {
    const rates = new CounterRates();
    rates.rate('a', 'm', { time: 0, value: 10 });
    rates.commit('a');
    assert.equal(rates.rate('a', 'm', { time: 1000, value: 30 }), 20);
    rates.discard('a');
    assert.equal(rates.rate('a', 'm', { time: 1000, value: 30 }), 20);
    rates.commit('a');
    // NOTE: sent again after being stored (a lost acknowledgement): no second rate.
    assert.equal(rates.rate('a', 'm', { time: 1000, value: 30 }), undefined);
    rates.forget('a');
    assert.equal(rates.rate('a', 'm', { time: 5000, value: 90 }), undefined);
  });

  it('knows counters by their name', () => {
    assert.ok(isCounter('node_network_receive_bytes_total'));
    assert.ok(!isCounter('node_load1'));
  });
});
