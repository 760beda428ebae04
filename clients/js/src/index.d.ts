// Type declarations for Herald's browser and Node client (@herald/client). The implementation is plain ES modules
// in this folder; Herald serves the same files at /client/index.js.

/** Connection states, in the order a client normally passes through them. */
export type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export declare const State: {
  readonly IDLE: 'idle';
  readonly CONNECTING: 'connecting';
  readonly OPEN: 'open';
  readonly RECONNECTING: 'reconnecting';
  readonly CLOSED: 'closed';
};

export type TransportName = 'websocket' | 'sse' | 'longpoll';
export declare const Transport: {
  readonly WEBSOCKET: 'websocket';
  readonly SSE: 'sse';
  readonly LONGPOLL: 'longpoll';
};

/**
 * Why history was lost on a channel. The first three come from the server (docs/protocol.md, "The reset signal");
 * `epoch_changed` is the client's own, for a message of a new epoch that arrived with no reset before it.
 */
export type ResetReason = 'history_trimmed' | 'stream_restarted' | 'cursor_ahead' | 'epoch_changed';
export declare const ResetReason: {
  readonly HISTORY_TRIMMED: 'history_trimmed';
  readonly STREAM_RESTARTED: 'stream_restarted';
  readonly CURSOR_AHEAD: 'cursor_ahead';
  readonly EPOCH_CHANGED: 'epoch_changed';
};

export type SwitchReason = 'initial' | 'fallback' | 'upgrade';
export declare const SwitchReason: {
  readonly INITIAL: 'initial';
  readonly FALLBACK: 'fallback';
  readonly UPGRADE: 'upgrade';
};

/** The client's own error codes; errors from the server keep the server's code (e.g. `invalid_channel`). */
export declare const ErrorCode: {
  readonly CLOSED: 'closed';
  readonly QUEUE_FULL: 'queue_full';
  readonly DISCONNECTED: 'disconnected';
  readonly PUBLISH_FAILED: 'publish_failed';
  readonly TRANSPORT_FAILED: 'transport_failed';
  readonly HEARTBEAT_TIMEOUT: 'heartbeat_timeout';
  readonly OPEN_TIMEOUT: 'open_timeout';
  readonly PROTOCOL_ERROR: 'protocol_error';
  readonly HANDLER_FAILED: 'handler_failed';
  readonly UNSUPPORTED: 'unsupported';
};

/** An error with a stable machine-readable code. */
export declare class HeraldError extends Error {
  constructor(code: string, message: string, options?: { status?: number; cause?: unknown; uncertain?: boolean });
  readonly name: 'HeraldError';
  /** A value of {@link ErrorCode}, or the server's `error` code. */
  readonly code: string;
  /** The HTTP status, when the server refused a request. */
  readonly status?: number;
  /** True when a publish failed mid-flight: the message may or may not have been stored. */
  readonly uncertain?: true;
  /** The WebSocket close code, when a WebSocket closed. */
  readonly closeCode?: number;
}

/** Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial × factor^n)). */
export declare class Backoff {
  constructor(options?: BackoffOptions & { random?: () => number });
  readonly attempt: number;
  /** min(max, initial × factor^attempt) */
  ceiling(): number;
  /** The next delay in ms; counts the attempt. */
  next(): number;
  reset(): void;
}

export interface BackoffOptions {
  /** First window, ms. Default 500. */
  initial?: number;
  /** Largest window, ms. Default 30000. */
  max?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
}

/** The WebSocket constructor shape the client needs (the browser's, Node 22's, or `ws`). */
export interface WebSocketLike {
  binaryType: string;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The EventSource constructor shape the client needs. */
export interface EventSourceLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: string; lastEventId: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: string, listener: (event: { data: string; lastEventId: string }) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

export interface HeraldOptions {
  /**
   * 'auto' (default): subscribe-only clients use SSE, then WebSocket, then long polling; clients that publish or
   * use presence prefer WebSocket, then SSE, then long polling. A name forces one transport; an array gives the
   * order to try.
   */
  transport?: 'auto' | TransportName | TransportName[];
  /** This client publishes: prefer WebSocket in 'auto' mode (also switched on by the first publish()). */
  publish?: boolean;
  /** This client uses presence: prefer WebSocket in 'auto' mode (also switched on by a presence subscription). */
  presence?: boolean;
  /** The id other members see in presence (WebSocket `?client=`): 1–64 of A-Z a-z 0-9 _ - . : @. */
  clientId?: string;
  /** Defaults to globalThis.fetch. Needed by SSE and long polling, and for publishing over HTTP. */
  fetch?: typeof fetch;
  /** Defaults to globalThis.WebSocket (browsers, Node 22+). On Node 20 pass one, e.g. from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** Defaults to globalThis.EventSource. Used only with sse: 'eventsource'. */
  EventSource?: EventSourceConstructor;
  /**
   * How to read SSE. 'fetch' reads the stream itself: it sees keep-alives (dead-connection detection), catches a
   * buffering proxy (open = preamble received) and every event type. 'eventsource' uses EventSource, which can do
   * none of the three. 'auto' (default): 'fetch' where fetch can stream a body.
   */
  sse?: 'auto' | 'fetch' | 'eventsource';
  /** Event types to listen for with sse: 'eventsource' (EventSource only dispatches types it was told about). */
  sseEvents?: string[];
  /** Reconnect delays: exponential backoff with full jitter. */
  backoff?: BackoffOptions;
  /** Source of randomness for the jitter; default Math.random. */
  random?: () => number;
  /**
   * Longest silence before a connection is declared dead, ms. Default 35000: two missed SSE keep-alives (sent
   * every 15 s by default). WebSocket pings after min(server pingInterval, heartbeatTimeout / 3) of silence.
   * A long poll may take pollTimeout plus min(10 s, heartbeatTimeout).
   */
  heartbeatTimeout?: number;
  /** How long a transport may take to open (SSE: until the stream's preamble arrives), ms. Default 10000. */
  openTimeout?: number;
  /** Seconds a long poll is held by the server. Default 25. */
  pollTimeout?: number;
  /** Messages per long-poll answer, 1–1000. Default 100. */
  pollLimit?: number;
  /** After a fallback, first try the preferred transports again after this long, ms. Default 30000. */
  upgradeInterval?: number;
  /** The retry interval doubles after each failed upgrade, up to this, ms. Default 300000. */
  upgradeIntervalMax?: number;
  /** Publishing while not connected: 'queue' (default; sent in order once open) or 'reject'. */
  publishWhileDisconnected?: 'queue' | 'reject';
  /** Publishes queued while disconnected, at most. Beyond it, publish() rejects with 'queue_full'. Default 100. */
  publishQueueSize?: number;
  /** Channels per client, matching the server's --max-channels-per-request. Default 16. */
  maxChannelsPerRequest?: number;
}

export declare const DEFAULTS: Readonly<Required<Omit<HeraldOptions, 'fetch' | 'WebSocket' | 'EventSource' | 'random' | 'clientId'>>>;

/** One message, as handed to a subscription's handlers. */
export declare class Message {
  readonly channel: string;
  /** `<epoch>-<offset>`; undefined for an ephemeral message. */
  readonly id: string | undefined;
  /** The publisher's event type, if any. */
  readonly event: string | undefined;
  /** The payload as text; base64 when `encoding` is 'base64'. */
  readonly data: string;
  /** Publish time (Unix ms), when the transport carries it (WebSocket, long polling). */
  readonly time: number | undefined;
  /** 'base64' for a binary payload, when the transport says so. */
  readonly encoding: 'base64' | undefined;
  /** A live-only message: no id, never replayed. */
  readonly ephemeral: boolean;
  /** The transport that delivered it. */
  readonly transport: TransportName;
  /** The payload parsed as JSON. */
  json<T = unknown>(): T;
  /** The payload's bytes (decoded from base64 for a binary payload). */
  binary(): Uint8Array;
}

export interface ResetEvent {
  channel: string;
  reason: ResetReason;
  /** Where the channel continues from: reload state, then expect messages after it. */
  position: string;
}

export interface Member {
  /** The connection's id: one client may have several. */
  connection: string;
  /** The id the client gave (clientId), or the connection id. */
  client: string;
}

export interface PresenceEvent {
  action: 'sync' | 'join' | 'leave';
  /** Who came or went (join, leave). */
  member?: Member;
  /** Everyone present now. */
  members: Member[];
}

export interface SubscribeOptions {
  /**
   * 'now' (default): messages published from now on. 'earliest': everything the server still holds, then live.
   * A message id: everything after it (resume from an id the application stored).
   */
  since?: 'now' | 'earliest' | string;
  /** Join the channel's presence and track its members (WebSocket only). */
  presence?: boolean;
}

/** A channel the client listens to. Every stored message reaches the handlers exactly once, in order. */
export declare class Subscription {
  readonly channel: string;
  readonly presence: boolean;
  /** The last delivered id (or the position after a reset): where any transport resumes. Null until known. */
  readonly position: string | null;
  readonly active: boolean;
  /** Present members by connection id, while presence is known. */
  readonly members: Map<string, Member>;
  readonly stats: { delivered: number; duplicates: number; resets: number; ephemeral: number };
  on(type: 'message', listener: (message: Message) => void): () => void;
  on(type: 'reset', listener: (event: ResetEvent) => void): () => void;
  on(type: 'presence', listener: (event: PresenceEvent) => void): () => void;
  off(type: 'message' | 'reset' | 'presence', listener: (...args: any[]) => void): void;
  /** Stops delivery. Idempotent. */
  unsubscribe(): void;
}

export interface StateEvent {
  state: State;
  previous: State;
  transport: TransportName | null;
  /** For 'reconnecting': ms until the next attempt. */
  delay?: number;
  /** For 'reconnecting': the backoff attempt. */
  attempt?: number;
  /** For 'reconnecting': why the connection was lost or could not be opened. */
  error?: HeraldError;
}

export interface TransportEvent {
  transport: TransportName;
  previous: TransportName | null;
  reason: SwitchReason;
}

export interface PublishOptions {
  /** Event type (SSE `event:`); 1–64 of A-Z a-z 0-9 _ - . : (not 'reset' or 'presence'). */
  event?: string;
  /** Live only: never stored or replayed, no id. */
  ephemeral?: boolean;
}

export interface PublishResult {
  channel: string;
  id?: string;
  ephemeral?: true;
}

export interface ClientStats {
  delivered: number;
  duplicates: number;
  resets: number;
  reconnects: number;
  fallbacks: number;
  upgrades: number;
}

/**
 * One logical connection to a Herald server, over whichever transport works, kept alive across drops, restarts
 * and transport switches. `new HeraldClient(url, options)` → `connect()` → … → `close()` (final).
 */
export declare class HeraldClient {
  /**
   * @param url the server, e.g. 'https://push.example.com', or '/' in a page served by Herald. A path prefix is
   *   kept ('https://example.com/herald/' → 'https://example.com/herald/v1/sse').
   */
  constructor(url?: string | URL, options?: HeraldOptions);
  readonly state: State;
  /** The transport in use or being opened. */
  readonly transport: TransportName | null;
  readonly subscriptions: Map<string, Subscription>;
  /** Publishes waiting for a connection. */
  readonly queuedPublishes: number;
  readonly stats: ClientStats;

  /** Starts connecting; idempotent until close(). Throws HeraldError 'unsupported' when no transport can run. */
  connect(): this;
  /** Listens to a channel; throws for an invalid name, a duplicate, or too many channels. */
  subscribe(channel: string, handler?: (message: Message) => void, options?: SubscribeOptions): Subscription;
  subscribe(channel: string, options: SubscribeOptions): Subscription;
  /** Stops listening (a channel name or a Subscription). Idempotent. */
  unsubscribe(target: string | Subscription): void;
  /**
   * Publishes: a string is text, bytes (ArrayBuffer, typed array, Blob) are binary, anything else is JSON. Over
   * WebSocket when that is the transport, else over HTTP. Queued or rejected while disconnected (by option), never
   * dropped silently.
   */
  publish(channel: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  /** Disconnects for good; queued publishes are rejected with 'closed'. Idempotent. */
  close(): void;

  on(type: 'state', listener: (event: StateEvent) => void): () => void;
  on(type: 'transport', listener: (event: TransportEvent) => void): () => void;
  on(type: 'reset', listener: (event: ResetEvent) => void): () => void;
  on(type: 'error', listener: (error: HeraldError) => void): () => void;
  /** An ephemeral message on a multi-channel SSE stream: SSE does not say which channel it belongs to. */
  on(type: 'unrouted', listener: (message: { event?: string; data: string; ephemeral: true }) => void): () => void;
  once(type: 'state' | 'transport' | 'reset' | 'error' | 'unrouted', listener: (value: any) => void): () => void;
  off(type: 'state' | 'transport' | 'reset' | 'error' | 'unrouted', listener: (value: any) => void): void;
}

/** A new client, already connecting. */
export declare function connect(url?: string | URL, options?: HeraldOptions): HeraldClient;
