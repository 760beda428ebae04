/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the n-th delay is uniform in [0, min(max, initial * factor^n)). Full jitter spreads a crowd of clients that lost
 * the same server over the whole window, so they do not come back in one thundering herd.
 *
 * `random` is injectable for tests. Not thread-sensitive: one instance per client.
 */
export class Backoff {
  constructor({ initial = 500, max = 30_000, factor = 2, random = Math.random } = {}) {
    if (!(initial > 0)) throw new RangeError(`backoff.initial must be positive: ${initial}`);
    if (!(max >= initial)) throw new RangeError(`backoff.max must be at least backoff.initial: ${max}`);
    if (!(factor >= 1)) throw new RangeError(`backoff.factor must be at least 1: ${factor}`);
    this.initial = initial;
    this.max = max;
    this.factor = factor;
    this.random = random;
    this.attempt = 0;
  }

  /** The cap for the current attempt: min(max, initial * factor^attempt). */
  ceiling() {
    return Math.min(this.max, this.initial * this.factor ** this.attempt);
  }

  /** The next delay in ms, then counts the attempt. */
  next() {
    const delay = Math.floor(this.random() * this.ceiling());
    this.attempt++;
    return delay;
  }

  reset() {
    this.attempt = 0;
  }
}
