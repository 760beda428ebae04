import { ErrorCode, HeraldError } from '../codes.js';
import { BaseTransport } from './base.js';

/** WebSocket close codes a server sends (herald-core CloseReason); all but these few say "reconnect and resume". */
const CLOSE_REASONS = {
  1000: 'normal', 1002: 'protocol_error', 1008: 'policy_violation', 1009: 'message_too_big', 1011: 'internal_error',
  1012: 'shutdown', 1013: 'broker_unavailable', 4008: 'slow_consumer', 4009: 'heartbeat_timeout',
};

/**
 * WebSocket: `GET /v1/ws[?client=ID]`, JSON frames (docs/protocol.md, "WebSocket"). One socket carries every
 * subscription, publishes with acks, and presence.
 *
 * - Open: the server's first frame is `connected`; the client then subscribes each channel (`after` = its
 *   position, when known) and the transport is open once every subscribe is answered.
 * - Deliveries: `message` (text, a raw JSON value, or a binary frame: 2-byte header length, JSON header, bytes),
 *   `reset`, `presence`. Every command carries a `ref`; `ack`/`error`/`pong` echo it.
 * - Dead connections: browsers cannot see WebSocket ping frames, so the client sends a `ping` command after a
 *   silence and gives up when nothing answers (see #startHeartbeat).
 * - A publish still unanswered when the socket dies is rejected as uncertain: it may have been stored.
 */
export class WebSocketTransport extends BaseTransport {
  static available = true;

  #ws = null;
  #ref = 0;
  #pending = new Map(); // ref -> { kind, channel, resolve, reject }
  #subscribed = new Map(); // channel -> presence flag, as sent to the server
  #awaitingAcks = 0;
  #connected = false;
  #clearOpenTimer = null;
  #heartbeat = null;
  #lastActivity = 0;
  #pingSent = false;

  async open() {
    const { ctx } = this;
    const { openTimeout, WebSocket } = ctx.options;
    this.#clearOpenTimer = this.deadline(openTimeout, ErrorCode.OPEN_TIMEOUT,
      `WebSocket: not open within ${openTimeout} ms`);
    try {
      await ctx.prepare({ earliestOnly: true });
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.closed) return;
    const url = new URL(ctx.url('v1/ws'));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (ctx.options.clientId) url.searchParams.set('client', ctx.options.clientId);
    let ws;
    try {
      ws = new WebSocket(url.toString());
    } catch (err) {
      this.fail(err);
      return;
    }
    this.#ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e) => this.#frame(e.data);
    ws.onclose = (e) => this.#closedBy(e);
    ws.onerror = () => {}; // always followed by close, which says more
  }

  update() {
    if (!this.#connected || this.closed) return;
    this.#sync();
  }

  teardown() {
    this.#clearOpenTimer?.();
    clearInterval(this.#heartbeat);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      try {
        ws.close(1000, 'client closing');
      } catch {
        // already closed
      }
    }
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      if (p.kind === 'publish') {
        p.reject(new HeraldError(ErrorCode.PUBLISH_FAILED, `publish to '${p.channel}': the WebSocket closed before `
          + 'the server answered; it may or may not have been stored', { uncertain: true }));
      }
    }
  }

  /** Publishes over the socket; resolves to the ack's `{ channel, id }` or `{ channel, ephemeral: true }`. */
  publish(channel, data, { event, ephemeral } = {}) {
    return new Promise((resolve, reject) => {
      if (this.closed || !this.#ws) {
        reject(new HeraldError(ErrorCode.PUBLISH_FAILED, 'the WebSocket is closed', { uncertain: false }));
        return;
      }
      const ref = this.#nextRef();
      const header = { type: 'publish', ref, channel };
      if (event !== undefined) header.event = event;
      if (ephemeral) header.ephemeral = true;
      this.#pending.set(ref, { kind: 'publish', channel, resolve, reject });
      try {
        if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
          this.#ws.send(binaryFrame(header, data));
        } else {
          if (typeof data !== 'string') {
            const json = JSON.stringify(data);
            if (json === undefined) throw new TypeError(`cannot publish ${typeof data}`);
            this.#ws.send(`${JSON.stringify(header).slice(0, -1)},"data":${json}}`);
          } else {
            this.#ws.send(JSON.stringify({ ...header, data }));
          }
        }
      } catch (err) {
        this.#pending.delete(ref);
        reject(err);
      }
    });
  }

  #nextRef() {
    this.#ref = (this.#ref + 1) % 0x7fffffff;
    return this.#ref;
  }

  #send(frame) {
    this.#ws?.send(JSON.stringify(frame));
  }

  /** Brings the server's subscriptions in line with the client's. */
  #sync() {
    const wanted = new Map(this.ctx.subscriptions().map((s) => [s.channel, s]));
    for (const channel of [...this.#subscribed.keys()]) {
      if (!wanted.has(channel)) {
        this.#subscribed.delete(channel);
        this.#send({ type: 'unsubscribe', ref: this.#nextRef(), channel });
      }
    }
    for (const [channel, s] of wanted) {
      if (this.#subscribed.has(channel)) continue;
      this.#subscribed.set(channel, s.presence);
      const ref = this.#nextRef();
      const frame = { type: 'subscribe', ref, channel };
      if (s.position) frame.after = s.position;
      if (s.presence) frame.presence = true;
      this.#pending.set(ref, { kind: 'subscribe', channel });
      if (!this.opened) this.#awaitingAcks++;
      this.#send(frame);
    }
    this.#maybeOpen();
  }

  #maybeOpen() {
    if (this.opened || this.#awaitingAcks > 0 || !this.#connected) return;
    this.#clearOpenTimer?.();
    this.markOpen();
  }

  /**
   * docs/protocol.md "Heartbeats": browsers cannot see Herald's ping frames, so after `pingInterval` of silence the
   * client sends a `ping` command; if nothing at all arrives within `pingTimeout` after that, the connection is
   * dead. Both come from the `connected` frame, capped by the heartbeatTimeout option.
   */
  #startHeartbeat() {
    const { heartbeatTimeout } = this.ctx.options;
    const pingAfter = Math.min(this.info.pingInterval > 0 ? this.info.pingInterval : Infinity, heartbeatTimeout / 3);
    const deadAfter = Math.min(pingAfter + (this.info.pingTimeout > 0 ? this.info.pingTimeout : Infinity), heartbeatTimeout);
    this.#lastActivity = Date.now();
    this.#heartbeat = setInterval(() => {
      const silent = Date.now() - this.#lastActivity;
      if (silent >= deadAfter) {
        this.fail(new HeraldError(ErrorCode.HEARTBEAT_TIMEOUT,
          `WebSocket: nothing received for ${silent} ms (no answer to ping); reconnecting`));
      } else if (silent >= pingAfter && !this.#pingSent) {
        this.#pingSent = true;
        this.#send({ type: 'ping', ref: this.#nextRef() });
      }
    }, Math.max(50, Math.min(1000, pingAfter / 4)));
  }

  #frame(raw) {
    if (this.closed) return;
    this.#lastActivity = Date.now();
    this.#pingSent = false;
    let frame;
    let bytes;
    try {
      if (typeof raw === 'string') {
        frame = JSON.parse(raw);
      } else {
        ({ header: frame, bytes } = parseBinary(raw));
      }
    } catch (err) {
      this.fail(new HeraldError(ErrorCode.PROTOCOL_ERROR, `WebSocket: unreadable frame (${err.message})`));
      return;
    }
    const { ctx } = this;
    switch (frame.type) {
      case 'connected':
        this.#connected = true;
        this.info = frame;
        this.#startHeartbeat();
        this.#sync();
        break;
      case 'message': {
        let { data } = frame;
        let encoding;
        let value;
        if (bytes) {
          data = toBase64(bytes);
          encoding = 'base64';
        } else if (typeof data !== 'string') {
          value = data; // a JSON payload arrives as the JSON value itself
          data = JSON.stringify(data);
        }
        ctx.onMessage({
          channel: frame.channel, id: frame.ephemeral ? undefined : frame.id, event: frame.event, data,
          time: frame.time, encoding, ephemeral: Boolean(frame.ephemeral), value, bytes,
        });
        break;
      }
      case 'reset':
        ctx.onReset({ channel: frame.channel, reason: frame.reason, position: frame.position });
        break;
      case 'presence':
        ctx.onPresence(frame);
        break;
      case 'ack':
        this.#answered(frame, null);
        break;
      case 'error':
        this.#answered(frame, new HeraldError(frame.error ?? ErrorCode.PROTOCOL_ERROR,
          `${frame.channel ? `'${frame.channel}': ` : ''}${frame.message ?? frame.error}`));
        break;
      case 'pong':
        break;
      default:
        break; // newer frame types are ignored, as the server ignores unknown fields
    }
  }

  #answered(frame, error) {
    const pending = frame.ref === undefined ? undefined : this.#pending.get(frame.ref);
    if (pending) this.#pending.delete(frame.ref);
    if (pending?.kind === 'publish') {
      if (error) pending.reject(error);
      else pending.resolve(frame.ephemeral ? { channel: frame.channel, ephemeral: true } : { channel: frame.channel, id: frame.id });
      return;
    }
    if (pending?.kind === 'subscribe') {
      if (!this.opened) this.#awaitingAcks--;
      if (error) {
        if (error.code !== 'cancelled') this.ctx.onError(error);
        if (this.#subscribed.get(pending.channel) !== undefined && error.code !== 'cancelled') {
          this.#subscribed.delete(pending.channel); // not subscribed: the next update() may try again
        }
      } else if (frame.position) {
        this.ctx.onPosition(pending.channel, frame.position);
      }
      this.#maybeOpen();
      return;
    }
    if (error && !pending) this.ctx.onError(error);
  }

  #closedBy(event) {
    if (this.closed) return;
    const reason = CLOSE_REASONS[event.code] ?? `code ${event.code}`;
    const text = event.reason ? `: ${event.reason}` : '';
    const error = new HeraldError(event.code === 4009 ? ErrorCode.HEARTBEAT_TIMEOUT : ErrorCode.TRANSPORT_FAILED,
      `WebSocket closed (${event.code} ${reason}${text})`);
    error.closeCode = event.code;
    this.fail(error);
  }
}

/** A binary publish: 2-byte big-endian header length, UTF-8 JSON header, then the raw bytes. */
function binaryFrame(header, data) {
  const head = new TextEncoder().encode(JSON.stringify(header));
  if (head.length > 0xffff) throw new RangeError('publish header too long');
  const body = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const frame = new Uint8Array(2 + head.length + body.length);
  frame[0] = head.length >>> 8;
  frame[1] = head.length & 0xff;
  frame.set(head, 2);
  frame.set(body, 2 + head.length);
  return frame;
}

function parseBinary(buffer) {
  const all = new Uint8Array(buffer);
  if (all.length < 2) throw new Error('binary frame shorter than its header length');
  const n = (all[0] << 8) | all[1];
  if (n === 0 || n > all.length - 2) throw new Error(`binary frame header length ${n} exceeds the frame`);
  const header = JSON.parse(new TextDecoder().decode(all.subarray(2, 2 + n)));
  return { header, bytes: all.slice(2 + n) };
}

function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
