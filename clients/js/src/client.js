import {
  CHANNEL_PATTERN, ErrorCode, HeraldError, ID_PATTERN, State, SwitchReason, Transport,
} from './codes.js';
import { Backoff } from './internal/backoff.js';
import { joinCursor, splitCursor } from './internal/cursor.js';
import { Emitter } from './internal/emitter.js';
import { Subscription } from './subscription.js';
import { responseError } from './transports/base.js';
import { fromJson, LongPollTransport } from './transports/longpoll.js';
import { SseTransport } from './transports/sse.js';
import { WebSocketTransport } from './transports/websocket.js';

const TRANSPORTS = {
  [Transport.WEBSOCKET]: WebSocketTransport,
  [Transport.SSE]: SseTransport,
  [Transport.LONGPOLL]: LongPollTransport,
};

/** A connection that stayed open this long resets the backoff; one lost sooner keeps climbing it (flapping). */
const STABLE_AFTER_MS = 5000;

/** Defaults of every option; see index.d.ts for what each means. */
export const DEFAULTS = Object.freeze({
  transport: 'auto',
  publish: false,
  presence: false,
  clientId: undefined,
  sse: 'auto',
  sseEvents: [],
  backoff: { initial: 500, max: 30_000, factor: 2 },
  heartbeatTimeout: 35_000,
  openTimeout: 10_000,
  pollTimeout: 25,
  pollLimit: 100,
  upgradeInterval: 30_000,
  upgradeIntervalMax: 300_000,
  publishWhileDisconnected: 'queue',
  publishQueueSize: 100,
  maxChannelsPerRequest: 16,
});

/**
 * A Herald client: one logical connection to a Herald server, carried by whichever transport works — WebSocket,
 * Server-Sent Events or long polling — and kept alive across drops, restarts and transport switches.
 *
 * Lifecycle: `new HeraldClient(url, options)` → `connect()` → … → `close()` (final; create a new client to start
 * over). Subscriptions and publishes may be made before connect(). Single-threaded, like any JS; every callback
 * runs on the event loop.
 *
 * Events (`on(type, listener)` returns an unsubscribe function):
 * - 'state'     { state, transport, previous, delay?, attempt?, error? } — every state change
 * - 'transport' { transport, previous, reason: 'initial' | 'fallback' | 'upgrade' }
 * - 'reset'     { channel, reason, position } — the server could not serve a channel's cursor: history was lost
 * - 'error'     HeraldError — a handler threw, or the server refused a request; delivery goes on
 * - 'unrouted'  { event, data, ephemeral } — an ephemeral message on a multi-channel SSE stream (no channel)
 *
 * Presence (who else is subscribed to a channel) needs the WebSocket transport: subscribe with
 * `{ presence: true }` and the client prefers WebSocket; the Subscription keeps `members` and emits 'presence'.
 */
export class HeraldClient {
  #base;
  #opts;
  #events = new Emitter((err) => this.#report(new HeraldError(ErrorCode.HANDLER_FAILED,
    `a listener threw: ${err?.message ?? err}`, { cause: err })));
  #state = State.IDLE;
  #subs = new Map();
  #backoff;
  #active = null;
  #activeName = null;
  #reported = null;
  #candidates = [];
  #index = 0;
  #openedAt = 0;
  #retryTimer = null;
  #probe = null;
  #probeTimer = null;
  #probeDelay;
  #queue = [];
  #chain = Promise.resolve();
  #publishedOnce = false;
  #updateScheduled = false;
  #preparing = null;
  #onOnline = () => {
    if (this.#state === State.RECONNECTING && this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.#attempt();
    }
  };

  /** Counters for monitoring, tests and demo pages. */
  stats = { delivered: 0, duplicates: 0, resets: 0, reconnects: 0, fallbacks: 0, upgrades: 0 };

  /**
   * @param url the server, e.g. 'https://push.example.com' or, in a page served by Herald, '/'. A path prefix is
   *   kept: 'https://example.com/herald/' talks to 'https://example.com/herald/v1/sse'.
   * @param options see index.d.ts (`HeraldOptions`)
   */
  constructor(url, options = {}) {
    this.#base = baseUrl(url);
    this.#opts = resolveOptions(options);
    this.#backoff = new Backoff({ ...this.#opts.backoff, random: this.#opts.random });
    this.#probeDelay = this.#opts.upgradeInterval;
  }

  /** 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' */
  get state() {
    return this.#state;
  }

  /** The transport in use or being opened ('websocket' | 'sse' | 'longpoll'), or null. */
  get transport() {
    return this.#activeName;
  }

  /** The subscriptions, by channel. */
  get subscriptions() {
    return new Map(this.#subs);
  }

  on(type, listener) {
    return this.#events.on(type, listener);
  }

  once(type, listener) {
    return this.#events.once(type, listener);
  }

  off(type, listener) {
    this.#events.off(type, listener);
  }

  /** Starts connecting (idempotent while not closed). Returns this. */
  connect() {
    if (this.#state === State.CLOSED) throw new HeraldError(ErrorCode.CLOSED, 'this client was closed; create a new one');
    if (this.#state !== State.IDLE) return this;
    this.#candidates = this.#computeCandidates();
    this.#index = 0;
    globalThis.addEventListener?.('online', this.#onOnline);
    this.#attempt();
    return this;
  }

  /**
   * Listens to a channel. `handler` gets every message once, in order. `since`: 'now' (default: messages
   * published from now on), 'earliest' (everything the server still holds, then live) or a message id to resume
   * after (e.g. one the application stored).
   */
  subscribe(channel, handler, options = {}) {
    if (handler !== undefined && typeof handler !== 'function') {
      options = handler ?? {};
      handler = undefined;
    }
    const { since = 'now', presence = false } = options;
    checkChannel(channel);
    if (since !== 'now' && since !== 'earliest' && !ID_PATTERN.test(String(since))) {
      throw new TypeError(`since must be 'now', 'earliest' or a message id like 'lz514pry85-42': ${since}`);
    }
    if (this.#state === State.CLOSED) throw new HeraldError(ErrorCode.CLOSED, 'this client was closed');
    if (this.#subs.has(channel)) {
      throw new HeraldError('already_subscribed', `already subscribed to '${channel}'; use its Subscription`);
    }
    if (this.#subs.size >= this.#opts.maxChannelsPerRequest) {
      throw new HeraldError('too_many_channels',
        `at most ${this.#opts.maxChannelsPerRequest} channels per client (maxChannelsPerRequest)`);
    }
    const sub = new Subscription(this, channel, since, Boolean(presence), (err) => this.#report(new HeraldError(
      ErrorCode.HANDLER_FAILED, `a handler of '${channel}' threw: ${err?.message ?? err}`, { cause: err })));
    if (handler) sub.on('message', handler);
    this.#subs.set(channel, sub);
    if (presence) this.#intentChanged();
    this.#scheduleUpdate();
    return sub;
  }

  /** Stops listening to a channel (a name or a Subscription). Idempotent. */
  unsubscribe(target) {
    const channel = typeof target === 'string' ? target : target?.channel;
    const sub = this.#subs.get(channel);
    if (!sub || (typeof target !== 'string' && target !== sub)) return;
    this.#subs.delete(channel);
    sub._deactivate();
    this.#scheduleUpdate();
  }

  /**
   * Publishes `data` (a string is text, an ArrayBuffer/typed array/Blob is binary, anything else is sent as JSON)
   * to a channel. Resolves to the server's answer, `{ channel, id }` (or `{ channel, ephemeral: true }`).
   * While disconnected it is queued (bounded) or rejected, by the `publishWhileDisconnected` option; it is never
   * dropped silently. A rejection with `uncertain: true` means the connection failed mid-publish: the message may
   * or may not have been stored.
   */
  publish(channel, data, options = {}) {
    try {
      checkChannel(channel);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.#publishedOnce) {
      this.#publishedOnce = true;
      this.#intentChanged();
    }
    return new Promise((resolve, reject) => {
      const entry = { channel, data, options, resolve, reject };
      if (this.#state === State.CLOSED) {
        reject(new HeraldError(ErrorCode.CLOSED, 'this client was closed'));
      } else if (this.#state === State.OPEN) {
        this.#send(entry);
      } else if (this.#opts.publishWhileDisconnected === 'reject') {
        reject(new HeraldError(ErrorCode.DISCONNECTED, `not connected (state ${this.#state}); publish rejected`));
      } else if (this.#queue.length >= this.#opts.publishQueueSize) {
        reject(new HeraldError(ErrorCode.QUEUE_FULL,
          `not connected and ${this.#queue.length} publishes are queued already (publishQueueSize)`));
      } else {
        this.#queue.push(entry);
      }
    });
  }

  /** Publishes waiting for a connection. */
  get queuedPublishes() {
    return this.#queue.length;
  }

  /** Disconnects for good: pending queued publishes are rejected with 'closed'. Idempotent. */
  close() {
    if (this.#state === State.CLOSED) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopProbe();
    const active = this.#active;
    this.#active = null;
    active?.close();
    globalThis.removeEventListener?.('online', this.#onOnline);
    const queued = this.#queue;
    this.#queue = [];
    for (const entry of queued) entry.reject(new HeraldError(ErrorCode.CLOSED, 'the client was closed before it could publish'));
    for (const sub of this.#subs.values()) sub._deactivate();
    this.#subs.clear();
    this.#setState(State.CLOSED, {});
    this.#events.clear();
  }

  // ---- connection management ----

  #bidirectional() {
    if (this.#opts.publish || this.#opts.presence || this.#publishedOnce) return true;
    for (const sub of this.#subs.values()) if (sub.presence) return true;
    return false;
  }

  #computeCandidates() {
    const forced = this.#opts.transport;
    let list;
    if (Array.isArray(forced)) list = forced;
    else if (forced && forced !== 'auto') list = [forced];
    else if (this.#bidirectional()) list = [Transport.WEBSOCKET, Transport.SSE, Transport.LONGPOLL];
    else list = [Transport.SSE, Transport.WEBSOCKET, Transport.LONGPOLL];
    for (const name of list) {
      if (!TRANSPORTS[name]) throw new TypeError(`unknown transport '${name}'; use websocket, sse or longpoll`);
    }
    const usable = list.filter((name) => this.#available(name));
    if (usable.length === 0) {
      throw new HeraldError(ErrorCode.UNSUPPORTED, `none of the transports ${list.join(', ')} can run here ` +
        '(pass fetch, EventSource or WebSocket in the options)');
    }
    return usable;
  }

  #available(name) {
    const o = this.#opts;
    if (name === Transport.WEBSOCKET) return WebSocketTransport.available && typeof o.WebSocket === 'function';
    if (name === Transport.SSE) {
      return typeof o.fetch === 'function' && (o.sse === 'fetch' || typeof o.EventSource === 'function');
    }
    return typeof o.fetch === 'function';
  }

  /** Publishing (or presence) now matters: in 'auto' mode, prefer WebSocket from now on. */
  #intentChanged() {
    const auto = !this.#opts.transport || this.#opts.transport === 'auto';
    if (!auto || this.#state === State.IDLE || this.#state === State.CLOSED) return;
    const next = this.#computeCandidates();
    if (next.join() === this.#candidates.join()) return;
    const current = this.#activeName;
    this.#candidates = next;
    this.#index = Math.max(0, next.indexOf(current));
    if (this.#state === State.OPEN && this.#index > 0 && !this.#probe) {
      clearTimeout(this.#probeTimer);
      this.#probeTimer = setTimeout(() => this.#startProbe(0), 0);
    }
  }

  #attempt() {
    this.#retryTimer = null;
    if (this.#state === State.CLOSED) return;
    const name = this.#candidates[this.#index];
    const t = this.#create(name);
    this.#active = t;
    this.#activeName = name;
    this.#setState(State.CONNECTING, {});
    t.open();
  }

  #create(name) {
    let t = null;
    const live = () => t !== null && (t === this.#active || t === this.#probe?.t);
    const ctx = {
      name,
      options: this.#opts,
      url: (path) => new URL(path, this.#base).toString(),
      channels: () => this.#carried(),
      cursor: (channels) => joinCursor(channels.map((c) => this.#subs.get(c)?.position ?? '')),
      subscriptions: () => this.#wsSubscriptions(),
      prepare: ({ earliestOnly = false } = {}) => this.#prepare(name, earliestOnly),
      onOpen: () => {
        if (t === this.#probe?.t) this.#promote();
        else if (t === this.#active) this.#opened();
      },
      onMessage: (fields) => {
        if (live()) this.#route(fields, name);
      },
      onReset: (reset) => {
        if (live()) this.#reset(reset);
      },
      onUnrouted: (fields) => {
        if (live()) this.#events.emit('unrouted', fields);
      },
      onPresence: (frame) => {
        if (live()) this.#subs.get(frame.channel)?._presence(frame);
      },
      onPosition: (channel, position) => {
        if (live()) this.#subs.get(channel)?._adoptPosition(position);
      },
      onError: (error) => {
        if (live()) this.#report(error);
      },
      onClose: (error) => this.#closed(t, error),
    };
    t = new TRANSPORTS[name](ctx);
    return t;
  }

  #opened() {
    this.#openedAt = Date.now();
    this.#announceTransport();
    this.#setState(State.OPEN, {});
    this.#flushQueue();
    this.#scheduleProbe();
  }

  #announceTransport() {
    const previous = this.#reported;
    const transport = this.#activeName;
    if (previous === transport) return;
    this.#reported = transport;
    let reason = SwitchReason.INITIAL;
    if (previous !== null) {
      const was = this.#candidates.indexOf(previous);
      reason = was >= 0 && this.#index > was ? SwitchReason.FALLBACK : SwitchReason.UPGRADE;
      if (reason === SwitchReason.FALLBACK) this.stats.fallbacks++;
      else this.stats.upgrades++;
    } else if (this.#index > 0) {
      reason = SwitchReason.FALLBACK;
      this.stats.fallbacks++;
    }
    this.#events.emit('transport', { transport, previous, reason });
  }

  #closed(t, error) {
    if (this.#probe && t === this.#probe.t) {
      const next = this.#probe.i + 1;
      this.#probe = null;
      this.#startProbe(next);
      return;
    }
    if (t !== this.#active || this.#state === State.CLOSED) return;
    this.#active = null;
    this.#stopProbe();
    if (error?.status >= 400 && error.status < 500) this.#report(error); // the server refused: worth telling
    let delay;
    if (t.opened) {
      // Lost after it worked: the same transport again, after a backoff delay.
      if (Date.now() - this.#openedAt >= STABLE_AFTER_MS) this.#backoff.reset();
      delay = this.#backoff.next();
    } else if (this.#index + 1 < this.#candidates.length) {
      // Could not be opened: try the next transport at once (fallback).
      this.#index++;
      delay = 0;
    } else {
      // Nothing could be opened (an outage, most likely): wait, then start again from the preferred transport.
      this.#index = 0;
      delay = this.#backoff.next();
    }
    this.stats.reconnects++;
    this.#setState(State.RECONNECTING, { delay, attempt: this.#backoff.attempt, error });
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
  }

  // Upgrade probes: while on a fallback transport, now and then try the better ones (in order) alongside it. The
  // first that opens replaces the current one; both resume from the same cursors, so the overlap is de-duplicated.

  #scheduleProbe() {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
    if (this.#state !== State.OPEN || this.#index === 0 || this.#probe) return;
    this.#probeTimer = setTimeout(() => this.#startProbe(0), this.#probeDelay);
  }

  #startProbe(i) {
    this.#probeTimer = null;
    if (this.#state !== State.OPEN) return;
    if (i >= this.#index) {
      this.#probeDelay = Math.min(this.#probeDelay * 2, this.#opts.upgradeIntervalMax);
      this.#scheduleProbe();
      return;
    }
    const t = this.#create(this.#candidates[i]);
    this.#probe = { t, i };
    t.open();
  }

  #promote() {
    const { t, i } = this.#probe;
    this.#probe = null;
    const old = this.#active;
    this.#active = t;
    this.#activeName = this.#candidates[i];
    this.#index = i;
    old?.close();
    this.#probeDelay = this.#opts.upgradeInterval;
    this.#opened();
  }

  #stopProbe() {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
    const probe = this.#probe;
    this.#probe = null;
    probe?.t.close();
  }

  #setState(state, extra) {
    const previous = this.#state;
    this.#state = state;
    this.#events.emit('state', { state, previous, transport: this.#activeName, ...extra });
  }

  #report(error) {
    if (!this.#events.emit('error', error)) console.error('[herald]', error); // eslint-disable-line no-console
  }

  // ---- channels and cursors ----

  /** Channels a transport carries now: the subscriptions with a known position, in subscription order. */
  #carried() {
    const out = [];
    for (const [channel, sub] of this.#subs) if (sub.position !== null) out.push(channel);
    return out;
  }

  /** What a WebSocket subscribes: every subscription except an 'earliest' one still replaying history over HTTP. */
  #wsSubscriptions() {
    const out = [];
    for (const [channel, sub] of this.#subs) {
      if (sub.since === 'earliest' && sub.position === null) continue;
      out.push({ channel, position: sub.position, presence: sub.presence });
    }
    return out;
  }

  #scheduleUpdate() {
    if (this.#updateScheduled) return;
    this.#updateScheduled = true;
    queueMicrotask(() => {
      this.#updateScheduled = false;
      this.#active?.update();
      this.#probe?.t.update();
    });
  }

  #route(fields, transport) {
    const sub = this.#subs.get(fields.channel);
    if (!sub) return;
    const before = sub.stats.duplicates;
    if (sub._deliver({ ...fields, transport })) this.stats.delivered++;
    else if (sub.stats.duplicates > before) this.stats.duplicates++;
  }

  #reset({ channel, reason, position }) {
    this.#subs.get(channel)?._reset(reason, position);
  }

  /** @internal called by a Subscription that announced a reset */
  _resetAnnounced(event) {
    this.stats.resets++;
    this.#events.emit('reset', event);
  }

  /**
   * Gives every subscription without a position one, before a stream that needs a cursor is opened: 'now' asks
   * `GET /v1/poll?timeout=0` for the channels' current positions (delivering anything it answers with), 'earliest'
   * pages through `GET /v1/channels/{c}/messages`. Concurrent callers share one resolution.
   */
  async #prepare(transport, earliestOnly) {
    for (;;) {
      if (this.#preparing) {
        await this.#preparing;
        continue;
      }
      const need = [...this.#subs.values()].filter((s) => s._needsPosition() && (!earliestOnly || s.since === 'earliest'));
      if (need.length === 0) return;
      this.#preparing = this.#resolve(need, transport).finally(() => {
        this.#preparing = null;
      });
    }
  }

  async #resolve(need, transport) {
    for (const sub of need.filter((s) => s.since === 'earliest')) {
      let after = null;
      for (;;) {
        const q = new URLSearchParams({ limit: '1000' });
        if (after) q.set('after', after);
        const page = await this.#getJson(`v1/channels/${encodeURIComponent(sub.channel)}/messages?${q}`, 'history');
        for (const m of page.messages) this.#route(fromJson(m), transport);
        after = page.cursor;
        if (!page.more || page.messages.length === 0) break;
      }
      sub._adoptPosition(after);
      if (sub._needsPosition() && sub.active) {
        throw new HeraldError(ErrorCode.PROTOCOL_ERROR, `history of '${sub.channel}' gave no cursor`);
      }
    }
    const now = need.filter((s) => s.since !== 'earliest' && s.active);
    for (let i = 0; i < now.length; i += this.#opts.maxChannelsPerRequest) {
      const chunk = now.slice(i, i + this.#opts.maxChannelsPerRequest).map((s) => s.channel);
      const q = new URLSearchParams();
      for (const c of chunk) q.append('channel', c);
      q.set('timeout', '0');
      const page = await this.#getJson(`v1/poll?${q}`, 'long poll');
      for (const reset of page.resets ?? []) this.#reset(reset);
      for (const m of page.messages) this.#route(fromJson(m), transport);
      const parts = splitCursor(page.cursor);
      chunk.forEach((c, k) => this.#subs.get(c)?._adoptPosition(parts[k]));
      for (const c of chunk) {
        if (this.#subs.get(c)?._needsPosition()) {
          throw new HeraldError(ErrorCode.PROTOCOL_ERROR, `the server gave no position for '${c}'`);
        }
      }
    }
  }

  async #getJson(path, what) {
    const response = await this.#opts.fetch(new URL(path, this.#base).toString(), { cache: 'no-store' });
    if (!response.ok) throw await responseError(response, what);
    return response.json();
  }

  // ---- publishing ----

  #flushQueue() {
    const queued = this.#queue;
    this.#queue = [];
    for (const entry of queued) this.#send(entry);
  }

  /** Publishes go out one after another, so a client's messages reach a channel in the order it published them. */
  #send(entry) {
    this.#chain = this.#chain.then(async () => {
      try {
        entry.resolve(await this.#sendNow(entry));
      } catch (err) {
        entry.reject(err);
      }
    });
  }

  async #sendNow({ channel, data, options }) {
    if (this.#state === State.CLOSED) throw new HeraldError(ErrorCode.CLOSED, 'the client was closed before it could publish');
    const t = this.#active;
    if (t?.opened && typeof t.publish === 'function') return t.publish(channel, data, options);
    return this.#httpPublish(channel, data, options);
  }

  async #httpPublish(channel, data, { event, ephemeral } = {}) {
    const { body, type } = encodeBody(data);
    const q = new URLSearchParams();
    if (event !== undefined) q.set('event', event);
    if (ephemeral) q.set('ephemeral', 'true');
    const query = q.toString();
    const url = new URL(`v1/channels/${encodeURIComponent(channel)}/messages${query ? `?${query}` : ''}`, this.#base);
    let response;
    try {
      response = await this.#opts.fetch(url.toString(), { method: 'POST', headers: { 'content-type': type }, body });
    } catch (err) {
      throw new HeraldError(ErrorCode.PUBLISH_FAILED,
        `publish to '${channel}' failed (${err?.message ?? err}); it may or may not have been stored`,
        { cause: err, uncertain: true });
    }
    if (!response.ok) throw await responseError(response, `publish to '${channel}'`);
    return response.json();
  }
}

function checkChannel(channel) {
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) {
    throw new HeraldError('invalid_channel',
      `invalid channel name ${JSON.stringify(channel)}: 1-128 characters from A-Z a-z 0-9 _ - . : @`);
  }
}

/** A string is text, bytes are binary, anything else is JSON. */
export function encodeBody(data) {
  if (typeof data === 'string') return { body: data, type: 'text/plain; charset=utf-8' };
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return { body: data, type: 'application/octet-stream' };
  if (typeof Blob !== 'undefined' && data instanceof Blob) return { body: data, type: 'application/octet-stream' };
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError(`cannot publish ${typeof data}`);
  return { body: json, type: 'application/json' };
}

function baseUrl(url) {
  const here = globalThis.location?.href;
  let base;
  try {
    base = new URL(url ?? '/', here);
  } catch {
    throw new TypeError(`not a URL: ${url}${here ? '' : ' (outside a page, give an absolute http(s) URL)'}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`the server URL must be http(s): ${base}`);
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

function resolveOptions(options) {
  const o = { ...DEFAULTS, ...options, backoff: { ...DEFAULTS.backoff, ...options.backoff } };
  const g = globalThis;
  o.fetch = options.fetch ?? (typeof g.fetch === 'function' ? g.fetch.bind(g) : undefined);
  o.EventSource = options.EventSource ?? g.EventSource;
  o.WebSocket = options.WebSocket ?? g.WebSocket;
  if (o.sse === 'auto') {
    const streams = typeof o.fetch === 'function' && typeof g.ReadableStream === 'function'
      && typeof g.TextDecoder === 'function';
    o.sse = streams || typeof o.EventSource !== 'function' ? 'fetch' : 'eventsource';
  }
  if (o.sse !== 'fetch' && o.sse !== 'eventsource') throw new TypeError(`sse must be 'auto', 'fetch' or 'eventsource': ${o.sse}`);
  if (o.publishWhileDisconnected !== 'queue' && o.publishWhileDisconnected !== 'reject') {
    throw new TypeError(`publishWhileDisconnected must be 'queue' or 'reject': ${o.publishWhileDisconnected}`);
  }
  for (const key of ['heartbeatTimeout', 'openTimeout', 'upgradeInterval', 'upgradeIntervalMax']) {
    if (!(o[key] > 0)) throw new RangeError(`${key} must be a positive number of ms: ${o[key]}`);
  }
  if (!(Number.isInteger(o.pollTimeout) && o.pollTimeout >= 1)) throw new RangeError(`pollTimeout must be whole seconds >= 1: ${o.pollTimeout}`);
  if (!(Number.isInteger(o.pollLimit) && o.pollLimit >= 1 && o.pollLimit <= 1000)) throw new RangeError(`pollLimit must be 1-1000: ${o.pollLimit}`);
  if (!(Number.isInteger(o.publishQueueSize) && o.publishQueueSize >= 0)) throw new RangeError(`publishQueueSize must be >= 0: ${o.publishQueueSize}`);
  if (o.clientId !== undefined && !/^[A-Za-z0-9_\-.:@]{1,64}$/.test(String(o.clientId))) {
    throw new TypeError(`clientId must be 1-64 characters from A-Z a-z 0-9 _ - . : @: ${o.clientId}`);
  }
  o.random = options.random ?? Math.random;
  o.sseEvents = [...(o.sseEvents ?? [])];
  return Object.freeze(o);
}
