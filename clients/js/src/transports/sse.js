import { ErrorCode, HeraldError } from '../codes.js';
import { splitCursor } from '../internal/cursor.js';
import { SseReader } from '../internal/sse-reader.js';
import { BaseTransport, isAbort, responseError, streamQuery } from './base.js';

/**
 * Server-Sent Events: `GET /v1/sse?channel=…&lastEventId=CURSOR` (docs/protocol.md#server-sent-events-get-v1sse).
 * One stream carries every subscribed channel; a change of the channel set reopens it from the current cursor.
 *
 * Two readers:
 * - `fetch` (default where fetch can stream a body: every modern browser, Node 18+): reads the stream itself. It is
 *   "open" only once the preamble (`retry:`/`id:`) arrives, so a proxy that buffers streams is caught by
 *   openTimeout; it sees the `: keep-alive` comments, so a silent dead connection is caught by heartbeatTimeout;
 *   and it sees every event type.
 * - `eventsource` (the `EventSource` option or global): for environments without streaming fetch. EventSource
 *   hides comments and fires `open` on the response headers, so it can detect neither a buffering proxy nor a
 *   silent dead connection, and it dispatches only `message`, `reset` and the types listed in `sseEvents`.
 * Either way the client, not EventSource, reconnects: the stream is closed on its first error.
 *
 * A message's channel is the position that changed in the stream's composite id. An ephemeral message has no id,
 * so on a stream of several channels its channel cannot be told; it goes to onUnrouted.
 */
export class SseTransport extends BaseTransport {
  #run = 0;
  #abort = null;
  #es = null;
  #clearOpenTimer = null;
  #idleCheck = null;
  #lastActivity = 0;

  open() {
    this.#start();
  }

  /** The channel set changed: reopen the stream from the current cursor. */
  update() {
    this.#start();
  }

  teardown() {
    this.#run++;
    this.#stopStream();
    this.#clearOpenTimer?.();
    clearInterval(this.#idleCheck);
  }

  #stopStream() {
    this.#abort?.abort();
    this.#abort = null;
    this.#es?.close();
    this.#es = null;
  }

  async #start() {
    if (this.closed) return;
    const run = ++this.#run;
    this.#stopStream();
    const { ctx } = this;
    const { openTimeout } = ctx.options;
    if (!this.opened) {
      this.#clearOpenTimer?.();
      this.#clearOpenTimer = this.deadline(openTimeout, ErrorCode.OPEN_TIMEOUT,
        `SSE: no stream preamble within ${openTimeout} ms (is a proxy buffering the response?)`);
    } else {
      this.#touch(); // a reopen has heartbeatTimeout to show life
    }
    try {
      await ctx.prepare();
      if (run !== this.#run) return;
      const channels = ctx.channels();
      if (channels.length === 0) {
        this.#open(); // nothing to carry: open, idle until update()
        return;
      }
      const cursor = ctx.cursor(channels);
      const url = ctx.url(`v1/sse?${streamQuery(channels, { lastEventId: cursor })}`);
      if (ctx.options.sse === 'eventsource') {
        this.#eventSource(run, url, channels, cursor);
      } else {
        await this.#fetchStream(run, url, channels, cursor);
      }
    } catch (err) {
      if (run === this.#run) this.fail(isAbort(err) ? new HeraldError(ErrorCode.TRANSPORT_FAILED, 'SSE aborted') : err);
    }
  }

  #open() {
    this.#clearOpenTimer?.();
    this.#clearOpenTimer = null;
    if (!this.opened && this.ctx.options.sse !== 'eventsource') this.#startIdleCheck();
    this.markOpen();
  }

  #touch() {
    this.#lastActivity = Date.now();
  }

  #startIdleCheck() {
    const { heartbeatTimeout } = this.ctx.options;
    this.#touch();
    this.#idleCheck = setInterval(() => {
      const silent = Date.now() - this.#lastActivity;
      if (silent >= heartbeatTimeout) {
        this.fail(new HeraldError(ErrorCode.HEARTBEAT_TIMEOUT,
          `SSE: nothing received for ${silent} ms (keep-alives missed); reconnecting`));
      }
    }, Math.max(50, Math.min(1000, heartbeatTimeout / 4)));
  }

  async #fetchStream(run, url, channels, cursor) {
    const abort = new AbortController();
    this.#abort = abort;
    const response = await this.ctx.options.fetch(url, {
      signal: abort.signal,
      headers: { accept: 'text/event-stream' },
      cache: 'no-store',
    });
    if (run !== this.#run) return;
    if (!response.ok) throw await responseError(response, 'SSE');
    const type = response.headers.get('content-type') || '';
    if (!/^text\/event-stream/i.test(type) || !response.body) {
      throw new HeraldError(ErrorCode.PROTOCOL_ERROR, `SSE: expected text/event-stream, got '${type}'`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const stream = { parts: splitCursor(cursor) };
    const live = () => run === this.#run && !this.closed;
    const sse = new SseReader({
      onId: (id) => {
        if (!live()) return;
        stream.parts = splitCursor(id); // the preamble: where this stream starts
        this.#open();
      },
      onEvent: (event) => {
        if (!live()) return;
        this.#open();
        this.#event(event, channels, stream);
      },
    });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (!live()) return;
        if (done) throw new HeraldError(ErrorCode.TRANSPORT_FAILED, 'SSE: the server ended the stream');
        this.#touch();
        sse.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      if (!live()) reader.cancel().catch(() => {});
    }
  }

  #eventSource(run, url, channels, cursor) {
    const { EventSource } = this.ctx.options;
    const es = new EventSource(url);
    this.#es = es;
    const stream = { parts: splitCursor(cursor) };
    let last = cursor; // EventSource gives an event with no id line the previous id: compare to tell them apart
    const live = () => run === this.#run && !this.closed;
    const handle = (type) => (e) => {
      if (!live()) return;
      const id = e.lastEventId;
      const hasId = typeof id === 'string' && id !== '' && id !== last;
      if (hasId) last = id;
      this.#open();
      this.#event({ type, data: e.data, id: hasId ? id : undefined, hasId }, channels, stream);
    };
    es.onopen = () => {
      if (live()) this.#open();
    };
    es.onmessage = handle('message');
    es.addEventListener('reset', handle('reset'));
    for (const type of this.ctx.options.sseEvents) {
      if (type !== 'message' && type !== 'reset') es.addEventListener(type, handle(type));
    }
    es.onerror = () => {
      if (!live()) return;
      es.close(); // the client reconnects, with its own backoff and cursor
      this.fail(new HeraldError(ErrorCode.TRANSPORT_FAILED, 'SSE: EventSource failed or the stream ended'));
    };
  }

  #event({ type, data, id, hasId }, channels, stream) {
    const { ctx } = this;
    if (type === 'reset') {
      let reset;
      try {
        reset = JSON.parse(data);
      } catch {
        this.fail(new HeraldError(ErrorCode.PROTOCOL_ERROR, `SSE: reset data is not JSON: ${data}`));
        return;
      }
      if (hasId) stream.parts = splitCursor(id);
      ctx.onReset(reset);
      return;
    }
    const event = type === 'message' ? undefined : type;
    if (!hasId) {
      const fields = { event, data, ephemeral: true };
      if (channels.length === 1) ctx.onMessage({ ...fields, channel: channels[0] });
      else ctx.onUnrouted(fields);
      return;
    }
    const parts = splitCursor(id);
    if (parts.length !== channels.length) {
      this.fail(new HeraldError(ErrorCode.PROTOCOL_ERROR,
        `SSE: id '${id}' has ${parts.length} positions for ${channels.length} channels`));
      return;
    }
    const previous = stream.parts;
    stream.parts = parts;
    if (channels.length === 1) {
      ctx.onMessage({ channel: channels[0], id, event, data });
      return;
    }
    const i = parts.findIndex((p, k) => p !== previous[k]);
    if (i < 0) return; // the same composite id again: nothing new on any channel
    ctx.onMessage({ channel: channels[i], id: parts[i], event, data });
  }
}
