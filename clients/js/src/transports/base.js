import { ErrorCode, HeraldError } from '../codes.js';

/**
 * What every transport shares. A transport instance is one connection's life: the client creates it with a
 * context, calls open() once, may call update() when its channel set changes, and close() when it is done with it.
 * After close() the instance calls no callback, ever.
 *
 * The context (built by the client) gives:
 *   url(path)            absolute URL of a Herald path, e.g. url('v1/sse')
 *   options              the client's resolved options (fetch, EventSource, WebSocket, timeouts, ...)
 *   channels()           channels to carry now, in request order; every one has a known position
 *   cursor(channels)     the composite cursor of those channels (positions joined by ',')
 *   prepare()            resolves the positions of subscriptions that have none yet; may deliver messages
 *   onOpen()             the transport carries messages now
 *   onMessage(fields)    { channel, id, event, data, time, encoding, ephemeral }
 *   onReset(reset)       { channel, reason, position }
 *   onUnrouted(fields)   a message whose channel cannot be told (an ephemeral message on a multi-channel SSE stream)
 *   onClose(error)       the connection is gone (before or after onOpen); the instance is done
 */
export class BaseTransport {
  #closed = false;
  #opened = false;

  constructor(ctx) {
    this.ctx = ctx;
  }

  get closed() {
    return this.#closed;
  }

  get opened() {
    return this.#opened;
  }

  /** Stops without calling back. Idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.teardown();
  }

  /** Releases sockets and timers; called once, by close() or fail(). */
  teardown() {}

  /** Marks the transport open and tells the client, once. */
  markOpen() {
    if (this.#closed || this.#opened) return;
    this.#opened = true;
    this.ctx.onOpen();
  }

  /** Ends this instance with an error, telling the client once. */
  fail(error) {
    if (this.#closed) return;
    this.#closed = true;
    this.teardown();
    this.ctx.onClose(error instanceof HeraldError ? error
      : new HeraldError(ErrorCode.TRANSPORT_FAILED, error?.message || String(error), { cause: error }));
  }

  /** A timer that fails the transport with `code` unless cleared; returns a clear function. */
  deadline(ms, code, message) {
    const timer = setTimeout(() => this.fail(new HeraldError(code, message)), ms);
    return () => clearTimeout(timer);
  }
}

/** Reads a Herald JSON error body into a HeraldError (docs/protocol.md#errors). */
export async function responseError(response, what) {
  let code = ErrorCode.TRANSPORT_FAILED;
  let message = `${what}: HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') {
      code = body.error;
      message = `${what}: ${body.error}${body.message ? ` (${body.message})` : ''}`;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new HeraldError(code, message, { status: response.status });
}

/** The query string for channels and extra parameters, channels first and in order. */
export function streamQuery(channels, params = {}) {
  const q = new URLSearchParams();
  for (const c of channels) q.append('channel', c);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null) q.append(k, String(v));
  }
  return q.toString();
}

/** True for the error fetch() rejects with when its AbortSignal fires. */
export function isAbort(err) {
  return err?.name === 'AbortError';
}
