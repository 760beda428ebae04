import { ChannelCursor } from './internal/cursor.js';
import { Emitter } from './internal/emitter.js';
import { ResetReason } from './codes.js';

/** One message as handed to the application. */
export class Message {
  #value;
  #bytes;

  constructor({ channel, id, event, data, time, encoding, ephemeral, transport, value, bytes }) {
    this.#value = value;
    this.#bytes = bytes;
    /** the channel it was published to */
    this.channel = channel;
    /** `<epoch>-<offset>`; undefined for an ephemeral message */
    this.id = id;
    /** the publisher's event type, or undefined */
    this.event = event;
    /** the payload as text (base64 when `encoding` is 'base64') */
    this.data = data;
    /** publish time in Unix ms, when the transport carries it (long polling, WebSocket) */
    this.time = time;
    /** 'base64' for a binary payload, when the transport says so */
    this.encoding = encoding;
    /** true for a live-only message (no id, never replayed) */
    this.ephemeral = Boolean(ephemeral);
    /** the transport that delivered it */
    this.transport = transport;
  }

  /** The payload parsed as JSON. */
  json() {
    return this.#value !== undefined ? this.#value : JSON.parse(this.data);
  }

  /** The payload as bytes: decoded from base64 for a binary payload, UTF-8 encoded otherwise. */
  binary() {
    if (this.#bytes) return this.#bytes;
    if (this.encoding === 'base64') return Uint8Array.from(atob(this.data), (c) => c.charCodeAt(0));
    return new TextEncoder().encode(this.data);
  }
}

/**
 * A channel the client listens to. Created by `client.subscribe()`; lives until `unsubscribe()` or the client's
 * `close()`. Events: 'message' (a {@link Message}), 'reset' ({ channel, reason, position }), and with presence
 * 'presence' ({ action: 'sync' | 'join' | 'leave', member?, members }) after `members` was updated.
 *
 * Every stored message of the channel reaches the handlers exactly once and in order, whatever the transport and
 * however often it reconnects or switches: the subscription remembers the last id it delivered (its `position`),
 * every transport resumes from there, and replays at or before it are dropped as duplicates.
 */
export class Subscription {
  #client;
  #events;
  #cursor;
  #active = true;

  /** @internal created by HeraldClient.subscribe */
  constructor(client, channel, since, presence, onListenerError) {
    this.#client = client;
    this.channel = channel;
    /** whether this subscription joins the channel's presence (WebSocket only) */
    this.presence = presence;
    /** who is present (connection id → { connection, client }), while presence is known; see 'presence' events */
    this.members = new Map();
    /** 'now', 'earliest' or the id given to subscribe(), until the position is known */
    this.since = since;
    this.#cursor = new ChannelCursor(since === 'now' || since === 'earliest' ? null : since);
    this.#events = new Emitter(onListenerError);
    /** counters, for monitoring and tests */
    this.stats = { delivered: 0, duplicates: 0, resets: 0, ephemeral: 0 };
  }

  /** The last delivered id (or the position after a reset): where any transport resumes. Null until known. */
  get position() {
    return this.#cursor.id;
  }

  get active() {
    return this.#active;
  }

  /** Adds a listener for 'message' or 'reset'; returns a function that removes it. */
  on(type, listener) {
    return this.#events.on(type, listener);
  }

  off(type, listener) {
    this.#events.off(type, listener);
  }

  /** Stops delivery and tells the server (on the next request, or at once over WebSocket). Idempotent. */
  unsubscribe() {
    if (!this.#active) return;
    this.#client.unsubscribe(this);
  }

  /** @internal */
  _deactivate() {
    this.#active = false;
    this.#events.clear();
  }

  /** @internal the position is needed and unknown ('now' or 'earliest' before the first contact) */
  _needsPosition() {
    return !this.#cursor.known;
  }

  /** @internal a stream told us where it starts (e.g. a poll's cursor) before any message */
  _adoptPosition(id) {
    this.#cursor.adoptIfUnknown(id);
  }

  /**
   * @internal A stored or ephemeral message arrived on some transport. Returns true when it was handed to the
   * application, false when it was a duplicate (or the subscription is gone).
   */
  _deliver(fields) {
    if (!this.#active) return false;
    if (fields.ephemeral || fields.id === undefined) {
      this.stats.ephemeral++;
      this.#events.emit('message', new Message({ ...fields, channel: this.channel, ephemeral: true }));
      return true;
    }
    const verdict = this.#cursor.accept(fields.id);
    if (verdict === 'duplicate' || verdict === 'invalid') {
      if (verdict === 'duplicate') this.stats.duplicates++;
      return false;
    }
    if (verdict === 'epoch') {
      this.#announceReset(ResetReason.EPOCH_CHANGED, this.#cursor.id.replace(/-[0-9]+$/, '-0'));
    }
    this.stats.delivered++;
    this.#events.emit('message', new Message({ ...fields, channel: this.channel }));
    return true;
  }

  /** @internal a presence frame: a full list (sync, on every (re)subscribe) or one join or leave */
  _presence(frame) {
    if (!this.#active || !this.presence) return;
    if (frame.action === 'sync') {
      this.members = new Map((frame.members ?? []).map((m) => [m.connection, m]));
    } else if (frame.action === 'join' && frame.member) {
      this.members.set(frame.member.connection, frame.member);
    } else if (frame.action === 'leave' && frame.member) {
      this.members.delete(frame.member.connection);
    } else {
      return;
    }
    this.#events.emit('presence', { action: frame.action, member: frame.member, members: [...this.members.values()] });
  }

  /** @internal the server sent a reset for this channel. Returns the reset event when the app must be told. */
  _reset(reason, position) {
    if (!this.#active || !this.#cursor.reset(position, reason)) return null;
    return this.#announceReset(reason, position);
  }

  #announceReset(reason, position) {
    this.stats.resets++;
    const event = { channel: this.channel, reason, position };
    this.#events.emit('reset', event);
    this.#client._resetAnnounced(event);
    return event;
  }
}
