import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampLimit, describeErrors, judgeAttempt, judgeCompletion, settledBy, type AttemptReport } from '../../src/store/decisions.ts';
import { judgeReceipt } from '../../src/store/edi-receipts.ts';
import type { EdiReceipt, MessageOutcome } from '../../src/store/index.ts';

// The decisions both stores apply (and the outbox, for its metrics), without a store.

describe('the attempt state machine', () => {
  const pending = (attempts: number, maxAttempts = 3) => ({ status: 'pending' as const, attempts, maxAttempts });
  const report = (over: Partial<AttemptReport>): AttemptReport => ({ outcome: 'delivered', finishedAt: 5000, ...over });

  it('delivers, counting the attempt and keeping the partner\'s reference', () => {
    assert.deepEqual(judgeAttempt(pending(0), report({ partnerRef: 'WMS-77' }), 6000), { next: 'delivered', attempts: 1, deliveredAt: 5000, partnerRef: 'WMS-77' });
    assert.deepEqual(judgeAttempt(pending(2), report({}), 6000), { next: 'delivered', attempts: 3, deliveredAt: 5000, partnerRef: null }, 'even on the last allowed attempt');
  });

  it('sends a retryable failure back to pending at its retry time while attempts remain', () => {
    assert.deepEqual(judgeAttempt(pending(0), report({ outcome: 'retryable', statusCode: 503, retryAt: 9000 }), 6000),
      { next: 'retry', attempts: 1, availableAt: 9000, lastError: 'HTTP 503' });
    assert.deepEqual(judgeAttempt(pending(1), report({ outcome: 'retryable', error: 'connection reset' }), 6000),
      { next: 'retry', attempts: 2, availableAt: 6000, lastError: 'connection reset' }, 'no retry time: due at once');
  });

  it('dead-letters a retryable failure on the last allowed attempt, saying it gave up', () => {
    assert.deepEqual(judgeAttempt(pending(2), report({ outcome: 'retryable', statusCode: 503, retryAt: 9000 }), 6000),
      { next: 'dead', attempts: 3, lastError: 'HTTP 503', deadLetterReason: 'gave up after 3 attempts: HTTP 503' });
  });

  it('dead-letters a permanent failure at once, with its error as the reason', () => {
    assert.deepEqual(judgeAttempt(pending(0), report({ outcome: 'permanent', statusCode: 422, error: 'unknown SKU' }), 6000),
      { next: 'dead', attempts: 1, lastError: 'unknown SKU', deadLetterReason: 'unknown SKU' });
    assert.equal((judgeAttempt(pending(0), report({ outcome: 'permanent' }), 6000) as { lastError: string }).lastError, 'failed', 'neither error nor status given');
  });

  it('keeps a dead letter\'s reason to 2,000 characters', () => {
    const verdict = judgeAttempt(pending(0), report({ outcome: 'permanent', error: 'x'.repeat(5000) }), 6000);
    assert.equal(verdict.next === 'dead' && verdict.deadLetterReason.length, 2000);
  });

  it('moves a settled delivery nowhere: a late report is only logged', () => {
    for (const status of ['delivered', 'dead'] as const) {
      for (const outcome of ['delivered', 'retryable', 'permanent'] as const) {
        assert.deepEqual(judgeAttempt({ status, attempts: 1, maxAttempts: 3 }, report({ outcome }), 6000), { next: 'unchanged' }, `${status} after ${outcome}`);
      }
    }
  });

  it('counts every attempt once and ends dead exactly when the budget is spent or the failure is permanent', () => {
    for (let maxAttempts = 1; maxAttempts <= 4; maxAttempts++) {
      for (let attempts = 0; attempts < maxAttempts; attempts++) {
        for (const outcome of ['delivered', 'retryable', 'permanent'] as const) {
          const verdict = judgeAttempt(pending(attempts, maxAttempts), report({ outcome, retryAt: 7000 }), 6000);
          assert.notEqual(verdict.next, 'unchanged');
          assert.equal(verdict.next !== 'unchanged' && verdict.attempts, attempts + 1);
          const dead = outcome === 'permanent' || (outcome === 'retryable' && attempts + 1 >= maxAttempts);
          assert.equal(verdict.next === 'dead', dead, `${outcome} at attempt ${attempts + 1} of ${maxAttempts}`);
        }
      }
    }
  });

  it('says how a verdict settles its delivery, for the outcome events added with it', () => {
    assert.equal(settledBy({ next: 'delivered', attempts: 1, deliveredAt: 1, partnerRef: null }), 'delivered');
    assert.equal(settledBy({ next: 'dead', attempts: 1, lastError: 'e', deadLetterReason: 'e' }), 'dead');
    assert.equal(settledBy({ next: 'retry', attempts: 1, availableAt: 1, lastError: 'e' }), undefined);
    assert.equal(settledBy({ next: 'unchanged' }), undefined);
  });
});

describe('the dead-letter rule of a completed message', () => {
  const error = { code: 'DOC_INVALID', path: '$.lines[0].sku', message: 'required' };
  const processed = (errors?: MessageOutcome['errors']): MessageOutcome => ({ messageId: 1, status: 'processed', documents: [], deliveries: [], errors });

  it('dead-letters a quarantined message with the reason its errors make', () => {
    const verdict = judgeCompletion({ messageId: 1, status: 'quarantined', errors: [error] });
    assert.equal(verdict.status, 'quarantined');
    assert.deepEqual(verdict.errors, [error]);
    assert.equal(verdict.deadLetterReason, describeErrors([error]));
    assert.match(verdict.deadLetterReason!, /\$\.lines\[0\]\.sku/);
  });

  it('dead-letters a quarantined message that came without errors, saying so', () => {
    const verdict = judgeCompletion({ messageId: 1, status: 'quarantined', errors: [] });
    assert.equal(verdict.errors, null);
    assert.ok(verdict.deadLetterReason, 'a reason people can read');
  });

  it('dead-letters a processed message only for its rejected parts', () => {
    assert.deepEqual(judgeCompletion(processed()), { status: 'processed', errors: null, deadLetterReason: null });
    assert.deepEqual(judgeCompletion(processed([])), { status: 'processed', errors: null, deadLetterReason: null });
    const rejected = { code: 'X12_SE_COUNT', message: 'SE01 says 12 segments, the set has 9' };
    assert.deepEqual(judgeCompletion(processed([rejected])), { status: 'processed', errors: [rejected], deadLetterReason: describeErrors([rejected]) });
  });

  it('joins errors into one reason of at most 2,000 characters', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ code: 'DOC_INVALID', path: `$.lines[${i}].sku`, message: 'required' }));
    assert.equal(describeErrors(many).length, 2000);
    assert.ok(describeErrors(many.slice(0, 2)).includes('; '));
  });
});

describe('a page\'s size', () => {
  it('is 100 unless asked, at least 1 and at most 1,000', () => {
    assert.deepEqual([undefined, 0, -5, 1, 250, 1000, 5000].map(clampLimit), [100, 1, 1, 1, 250, 1000, 1000]);
  });
});

describe('the EDI duplicate-receipt window', () => {
  const receipt = (messageId: number, at: number): EdiReceipt => ({ tenant: 'acme', kind: 'interchange', key: 'ZZ:ACME3PL:000000007', partner: 'acme-3pl', messageId, at, windowMs: 1000 });
  const row = (over: Partial<{ firstMessageId: number; lastMessageId: number; lastSeenAt: number; count: number }> = {}) =>
    ({ firstMessageId: 1, lastMessageId: 1, lastSeenAt: 1000, count: 1, ...over });

  it('starts a key never seen, or seen only as a placeholder row', () => {
    assert.deepEqual(judgeReceipt(undefined, receipt(1, 1000)), { duplicate: false, firstMessageId: 1, count: 1, write: 'start' });
    assert.deepEqual(judgeReceipt(row({ count: 0 }), receipt(2, 1000)), { duplicate: false, firstMessageId: 2, count: 1, write: 'start' });
  });

  it('counts another message within the window as a duplicate of the first', () => {
    assert.deepEqual(judgeReceipt(row(), receipt(2, 1500)), { duplicate: true, firstMessageId: 1, count: 2, write: 'count' });
    assert.deepEqual(judgeReceipt(row(), receipt(2, 2000)), { duplicate: true, firstMessageId: 1, count: 2, write: 'count' }, 'the window\'s last millisecond');
  });

  it('starts afresh once the last sighting is outside the window: control numbers may be reused', () => {
    assert.deepEqual(judgeReceipt(row(), receipt(2, 2001)), { duplicate: false, firstMessageId: 2, count: 1, write: 'start' });
  });

  it('writes nothing for a replay: the first message is not its own duplicate, a duplicate is not counted twice', () => {
    assert.deepEqual(judgeReceipt(row(), receipt(1, 1500)), { duplicate: false, firstMessageId: 1, count: 1, write: 'none' });
    assert.deepEqual(judgeReceipt(row({ lastMessageId: 2, count: 2 }), receipt(2, 1600)), { duplicate: true, firstMessageId: 1, count: 2, write: 'none' });
  });
});
