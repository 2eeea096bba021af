import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LiveOp, type OpHost } from '../../src/optracker/live-op.ts';
import { RecentOps } from '../../src/optracker/recent-ops.ts';
import type { OpEvent, TrackedOp } from '../../src/optracker/tracked-op.ts';

/** A finished op begun at `start` ms with `marks` events between `initiated` and `done`. */
function finishedOp(id: number, start: number, marks: readonly string[]): LiveOp {
  let time = start;
  const host: OpHost = { now: () => time++, retire: () => undefined };
  const op = new LiveOp(host, id, 'request', `GET /op/${String(id)}`);
  for (const name of marks) op.mark(name);
  op.finish();
  return op;
}

const plain = (op: TrackedOp) => ({
  id: op.id,
  kind: op.kind,
  description: op.description,
  initiatedAt: op.initiatedAt,
  finishedAt: op.finishedAt,
  nowarn: op.nowarn,
  events: op.events.map((event): OpEvent => ({ ...event })),
});

describe('RecentOps', () => {
  it('keeps the last capacity ops, oldest first, each as it finished', () => {
    const recent = new RecentOps(2);
    const ops = [1, 2, 3].map((id) => finishedOp(id, id * 100, ['received', 'replied']));
    const third = ops[2] as LiveOp;
    third.nowarn = true;
    for (const op of ops) recent.push(op);
    assert.equal(recent.length, 2);
    assert.deepEqual(recent.toArray().map(plain), ops.slice(1).map(plain));
    assert.deepEqual(
      recent.toArray()[1]?.events.map((event) => event.name),
      ['initiated', 'received', 'replied', 'done'],
    );
  });

  it('holds a copy: the op listed is not the op pushed, and a later push changes no op listed', () => {
    const recent = new RecentOps(1);
    const first = finishedOp(1, 0, ['read']);
    recent.push(first);
    const [listed] = recent.toArray();
    assert.notEqual(listed, first);
    recent.push(finishedOp(2, 50, ['stored', 'replied']));
    assert.deepEqual(plain(listed as TrackedOp), plain(first));
    listed?.mark('late');
    assert.equal(listed?.events.length, 3);
  });

  it('keeps whole an op with more events than a slot holds, every event listed', () => {
    const recent = new RecentOps(3);
    const marks = Array.from({ length: 20 }, (_, index) => `step_${String(index)}`);
    const long = finishedOp(1, 0, marks);
    recent.push(finishedOp(2, 100, ['a']));
    recent.push(long);
    recent.push(finishedOp(3, 200, ['b']));
    const [, kept] = recent.toArray();
    assert.equal(kept?.events.length, 22);
    assert.deepEqual(plain(kept), plain(long));
    recent.push(finishedOp(4, 300, ['c']));
    recent.push(finishedOp(5, 400, ['d']));
    assert.deepEqual(
      recent.toArray().map((op) => op.id),
      [3, 4, 5],
    );
  });

  it('copies an op that is not the tracker’s own through its events', () => {
    const recent = new RecentOps(1);
    const events = [
      { time: 10, name: 'initiated' },
      { time: 12.5, name: 'done' },
    ];
    const op: TrackedOp = {
      id: 7,
      kind: 'process_metric',
      description: 'metric m',
      initiatedAt: 10,
      finishedAt: 12.5,
      nowarn: false,
      events,
      mark: () => undefined,
      finish: () => undefined,
    };
    recent.push(op);
    assert.deepEqual(recent.toArray().map(plain), [plain(op)]);
  });

  it('drops the oldest on shift, says when it finished, and empties on clear', () => {
    const recent = new RecentOps(3);
    assert.equal(recent.oldestFinishedAt(), undefined);
    for (const id of [1, 2, 3, 4]) recent.push(finishedOp(id, id * 100, []));
    assert.equal(recent.oldestFinishedAt(), 201);
    recent.shift();
    assert.deepEqual(
      recent.toArray().map((op) => op.id),
      [3, 4],
    );
    recent.clear();
    assert.equal(recent.length, 0);
    assert.deepEqual(recent.toArray(), []);
    recent.push(finishedOp(9, 900, []));
    assert.deepEqual(
      recent.toArray().map((op) => op.id),
      [9],
    );
  });

  it('keeps nothing at capacity 0', () => {
    const recent = new RecentOps(0);
    recent.push(finishedOp(1, 0, []));
    assert.equal(recent.length, 0);
    assert.equal(recent.oldestFinishedAt(), undefined);
  });
});
