package dev.herald.core;

/**
 * Why Herald ends a subscriber's connection. One place for the wire code (WebSocket close code; also reported on
 * the other transports) and for whether the client should reconnect.
 */
public enum CloseReason {
    /** The client or the application ended it. */
    NORMAL(1000, false),
    /** The server is shutting down or restarting; reconnect, to this server or another. */
    SHUTDOWN(1012, true),
    /** The client sent something that breaks the protocol. */
    PROTOCOL_ERROR(1002, false),
    /** A WebSocket text message that is not valid UTF-8 (RFC 6455 §8.1). */
    INVALID_PAYLOAD(1007, false),
    /** The client broke a policy (origin, limits). */
    POLICY_VIOLATION(1008, false),
    /** The client sent a message larger than allowed. */
    MESSAGE_TOO_BIG(1009, false),
    /** Unexpected server error; reconnecting may help. */
    INTERNAL_ERROR(1011, true),
    /** The broker (e.g. Redis) is unreachable; reconnect later and resume. */
    BROKER_UNAVAILABLE(1013, true),
    /** The client fell too far behind; its buffer was full. Reconnect and resume from history. */
    SLOW_CONSUMER(4008, true),
    /** The peer stopped answering heartbeats. */
    HEARTBEAT_TIMEOUT(4009, true);

    private final int code;
    private final boolean reconnect;

    CloseReason(int code, boolean reconnect) {
        this.code = code;
        this.reconnect = reconnect;
    }

    /** The WebSocket close code (RFC 6455 §7.4; 4000-4999 are Herald's own). */
    public int code() {
        return code;
    }

    /** Whether a client should reconnect (and resume from its cursor) after this. */
    public boolean reconnect() {
        return reconnect;
    }

    /** Lower-case name used in logs and JSON, e.g. {@code slow_consumer}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
