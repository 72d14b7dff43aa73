import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../src/engine/index.ts';

describe('circuit breaker: one bad order never holds up the others', () => {
  it('does not open for one key failing again and again', () => {
    const b = new CircuitBreaker(3, 1000);
    for (let t = 0; t < 10; t++) assert.equal(b.failure(t, 'order:SO-BAD'), false);
    assert.equal(b.state, 'closed');
    assert.ok(b.allows(10));
  });

  it('opens once that many different keys failed in a row, and says so once', () => {
    const b = new CircuitBreaker(3, 1000);
    assert.equal(b.failure(0, 'order:1'), false);
    assert.equal(b.failure(0, 'order:1'), false);
    assert.equal(b.failure(0, 'order:2'), false);
    assert.equal(b.failure(0, 'order:3'), true);
    assert.equal(b.failure(0, 'order:4'), false, 'already open');
    assert.deepEqual(b.failingKeys(), ['order:1', 'order:2', 'order:3', 'order:4']);
  });

  it('a success in between starts the count again', () => {
    const b = new CircuitBreaker(3, 1000);
    b.failure(0, 'order:1');
    b.failure(0, 'order:2');
    b.success('order:9');
    b.failure(0, 'order:3');
    assert.equal(b.state, 'closed');
  });

  it('a permanent failure neither counts nor decides a trial', () => {
    const b = new CircuitBreaker(2, 1000);
    b.failure(0, 'order:1');
    b.inconclusive('order:2');
    b.inconclusive('order:3');
    assert.equal(b.state, 'closed');
    b.failure(0, 'order:4');
    assert.equal(b.state, 'open');
    assert.ok(b.allows(1000));
    b.begin();
    assert.equal(b.allows(1000), false, 'the trial is in flight');
    b.inconclusive('order:5');
    assert.equal(b.state, 'half_open');
    assert.ok(b.allows(1001), 'an undecided trial lets the next one go at once');
  });

  it('picks as trial an order never tried, then one whose key is not known to fail, then the key that failed longest ago', () => {
    const b = new CircuitBreaker(3, 1000);
    b.failure(10, 'order:A');
    b.failure(20, 'order:B');
    b.failure(30, 'order:C');
    assert.equal(b.pickTrial([{ entityKey: 'order:A', attempts: 1 }, { entityKey: 'order:B', attempts: 1 }, { entityKey: 'order:NEW', attempts: 0 }]), 2);
    assert.equal(b.pickTrial([{ entityKey: 'order:A', attempts: 1 }, { entityKey: 'order:OTHER', attempts: 2 }, { entityKey: 'order:NEW', attempts: 0 }]), 2);
    assert.equal(b.pickTrial([{ entityKey: 'order:A', attempts: 1 }, { entityKey: 'order:OTHER', attempts: 2 }]), 1);
    assert.equal(b.pickTrial([{ entityKey: 'order:C', attempts: 1 }, { entityKey: 'order:B', attempts: 1 }]), 1);
    // A failed trial moves its key to the back: the next trial is another key.
    assert.ok(b.allows(2000));
    b.begin();
    b.failure(2000, 'order:A');
    assert.equal(b.pickTrial([{ entityKey: 'order:A', attempts: 2 }, { entityKey: 'order:B', attempts: 1 }, { entityKey: 'order:C', attempts: 1 }]), 1);
  });
});
