import { ErrorCode, HeraldError } from '../codes.js';
import { BaseTransport, isAbort, responseError, streamQuery } from './base.js';

/**
 * Long polling: `GET /v1/poll?channel=…&after=CURSOR&timeout=S` in a loop (docs/protocol.md#long-polling-get-v1poll).
 * The first poll asks timeout=0, so the transport is open after one round trip; later polls are held up to
 * `pollTimeout` seconds. Each poll must be answered within pollTimeout plus a grace period, or it is aborted as
 * dead. The cursor always comes from the subscriptions' positions, never from a stale answer, so a poll that
 * overlaps another transport cannot move a channel backwards.
 */
export class LongPollTransport extends BaseTransport {
  #abort = null;
  #restart = false;
  #wake = null;

  open() {
    this.#loop().catch((err) => this.fail(err));
  }

  /** The channel set changed: end the held poll now and poll again with the new set. */
  update() {
    this.#restart = true;
    this.#abort?.abort();
    this.#wake?.();
  }

  teardown() {
    this.#abort?.abort();
    this.#wake?.();
  }

  async #loop() {
    const { ctx } = this;
    const { openTimeout, pollTimeout, pollLimit, heartbeatTimeout } = ctx.options;
    const grace = Math.min(10_000, heartbeatTimeout);
    while (!this.closed) {
      this.#restart = false;
      const first = !this.opened;
      let clearDeadline = null;
      try {
        if (first) {
          clearDeadline = this.deadline(openTimeout, ErrorCode.OPEN_TIMEOUT,
            `long poll: no answer within ${openTimeout} ms`);
        }
        await ctx.prepare();
        if (this.closed) return;
        const channels = ctx.channels();
        if (channels.length === 0) {
          clearDeadline?.();
          this.markOpen();
          await new Promise((resolve) => { this.#wake = resolve; });
          this.#wake = null;
          continue;
        }
        const timeout = first ? 0 : pollTimeout;
        const url = ctx.url(`v1/poll?${streamQuery(channels, {
          after: ctx.cursor(channels), timeout, limit: pollLimit,
        })}`);
        const abort = new AbortController();
        this.#abort = abort;
        if (!first) {
          clearDeadline = this.deadline(timeout * 1000 + grace, ErrorCode.HEARTBEAT_TIMEOUT,
            `long poll: no answer within ${timeout} s + ${grace} ms`);
        }
        const response = await ctx.options.fetch(url, { signal: abort.signal, cache: 'no-store' });
        if (!response.ok) throw await responseError(response, 'long poll');
        const body = await response.json();
        clearDeadline?.();
        if (this.closed) return;
        this.markOpen();
        this.#deliver(channels, body);
      } catch (err) {
        clearDeadline?.();
        if (this.closed) return;
        if (this.#restart && isAbort(err)) continue;
        throw err;
      } finally {
        this.#abort = null;
      }
    }
  }

  #deliver(channels, body) {
    const { ctx } = this;
    if (!body || !Array.isArray(body.messages) || typeof body.cursor !== 'string') {
      throw new HeraldError(ErrorCode.PROTOCOL_ERROR, 'long poll: the answer is not a poll page');
    }
    for (const reset of body.resets ?? []) {
      if (this.closed) return;
      ctx.onReset(reset);
    }
    for (const m of body.messages) {
      if (this.closed) return;
      ctx.onMessage(fromJson(m));
    }
  }
}

/** A message of a poll or history page (docs/protocol.md#short-polling--history-get-v1channelschannelmessages). */
export function fromJson(m) {
  return {
    channel: m.channel,
    id: m.ephemeral ? undefined : m.id,
    event: m.event,
    data: m.data,
    time: m.time,
    encoding: m.encoding,
    ephemeral: Boolean(m.ephemeral),
  };
}
