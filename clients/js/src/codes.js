// Every name the client and the server share, in one place: connection states, transports, reset reasons,
// error codes. Values are the strings that appear in events and in docs/protocol.md.

/** Connection states, in the order a client normally passes through them. */
export const State = Object.freeze({
  IDLE: 'idle', // created, connect() not called yet
  CONNECTING: 'connecting', // opening a transport
  OPEN: 'open', // a transport is open and delivering
  RECONNECTING: 'reconnecting', // lost or failed; waiting `delay` ms before the next attempt
  CLOSED: 'closed', // close() was called; final
});

/** Transport names, as accepted by the `transport` option and reported in events. */
export const Transport = Object.freeze({
  WEBSOCKET: 'websocket',
  SSE: 'sse',
  LONGPOLL: 'longpoll',
});

/** Why the server (or the client, for `epoch_changed`) says a channel's history was lost. */
export const ResetReason = Object.freeze({
  HISTORY_TRIMMED: 'history_trimmed', // messages after the cursor were dropped by history bounds
  STREAM_RESTARTED: 'stream_restarted', // the cursor's epoch is gone (e.g. the server restarted)
  CURSOR_AHEAD: 'cursor_ahead', // the cursor is beyond the channel's last message
  EPOCH_CHANGED: 'epoch_changed', // client-side: a message of a new epoch arrived with no reset before it
});

/** Why the client switched transports (the `reason` of a `transport` event). */
export const SwitchReason = Object.freeze({
  INITIAL: 'initial',
  FALLBACK: 'fallback', // the preferred transport could not be opened
  UPGRADE: 'upgrade', // a better transport could be opened again, or publishing now needs one
});

/**
 * Error codes of {@link HeraldError}. Server errors keep the server's `error` field (docs/protocol.md#errors),
 * e.g. `invalid_channel`, `payload_too_large`; these are the client's own.
 */
export const ErrorCode = Object.freeze({
  CLOSED: 'closed', // the client was closed; the operation cannot complete
  QUEUE_FULL: 'queue_full', // publishing while disconnected, and the bounded queue is full
  DISCONNECTED: 'disconnected', // publishing while disconnected with publishWhileDisconnected: 'reject'
  PUBLISH_FAILED: 'publish_failed', // the connection failed mid-publish: the message may or may not have been stored
  TRANSPORT_FAILED: 'transport_failed', // a transport could not be opened or was lost
  HEARTBEAT_TIMEOUT: 'heartbeat_timeout', // no byte (SSE keep-alive, WebSocket ping) within heartbeatTimeout
  OPEN_TIMEOUT: 'open_timeout', // a transport did not open within openTimeout (e.g. a proxy buffers the stream)
  PROTOCOL_ERROR: 'protocol_error', // the server sent something this client cannot read
  HANDLER_FAILED: 'handler_failed', // an application handler threw; delivery continues
  UNSUPPORTED: 'unsupported', // the environment lacks what a transport needs (no WebSocket, no fetch, ...)
});

/** An error with a stable `code` (see {@link ErrorCode}), the HTTP `status` when there was one, and a `cause`. */
export class HeraldError extends Error {
  constructor(code, message, { status, cause, uncertain } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HeraldError';
    this.code = code;
    if (status !== undefined) this.status = status;
    if (uncertain) this.uncertain = true;
  }
}

/** Channel names: 1–128 characters from A-Z a-z 0-9 _ - . : @ (docs/protocol.md#channels-ids-and-cursors). */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_\-.:@]{1,128}$/;

/** A message id or single-channel cursor: `<epoch>-<offset>`. */
export const ID_PATTERN = /^[0-9a-z]{1,32}-[0-9]{1,19}$/;
