import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `check` (sync or async) until it returns a truthy value, which is returned.
 * Throws after `timeoutMs` with `message` (a string or a function returning one, called
 * at the deadline so it can describe the last state seen).
 */
export async function waitFor(check, { timeoutMs = 10_000, intervalMs = 25, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = typeof message === 'function' ? await message() : message;
      const err = new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      if (lastError) err.cause = lastError;
      throw err;
    }
    await delay(intervalMs);
  }
}
