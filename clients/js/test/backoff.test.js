import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../src/index.js';

test('full jitter: each delay is uniform below min(max, initial * factor^attempt)', () => {
  const draws = [0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999];
  const b = new Backoff({ initial: 100, max: 1000, factor: 2, random: () => draws.shift() });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [99, 199, 399, 799, 999, 999]);
});

test('a draw of 0 gives no delay at all (full jitter, not equal jitter)', () => {
  const b = new Backoff({ initial: 100, max: 1000, random: () => 0 });
  assert.equal(b.next(), 0);
  assert.equal(b.next(), 0);
});

test('delays stay inside their window with the real random source', () => {
  const b = new Backoff({ initial: 50, max: 400 });
  for (let i = 0; i < 200; i++) {
    const ceiling = b.ceiling();
    const d = b.next();
    assert.ok(d >= 0 && d < ceiling, `attempt ${i}: ${d} not in [0, ${ceiling})`);
    assert.ok(ceiling <= 400);
  }
});

test('reset starts the window again from initial', () => {
  const b = new Backoff({ initial: 100, max: 10_000, random: () => 0.5 });
  b.next();
  b.next();
  b.next();
  assert.equal(b.attempt, 3);
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), 50);
});

test('the window never overflows, however many attempts', () => {
  const b = new Backoff({ initial: 1, max: 5000, factor: 10, random: () => 0.5 });
  for (let i = 0; i < 2000; i++) b.next();
  assert.equal(b.ceiling(), 5000);
  assert.equal(b.next(), 2500);
});

test('rejects nonsense settings with the value in the message', () => {
  assert.throws(() => new Backoff({ initial: 0 }), /initial must be positive: 0/);
  assert.throws(() => new Backoff({ initial: 100, max: 50 }), /max must be at least backoff.initial: 50/);
  assert.throws(() => new Backoff({ factor: 0.5 }), /factor must be at least 1: 0.5/);
});
