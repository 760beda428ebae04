package dev.herald.core;

/**
 * A channel already holds as many presence members as the node allows, so one more cannot join. The limit stops
 * one channel from growing every join and leave into an event for an unbounded number of subscribers.
 */
public final class PresenceLimitException extends RuntimeException {

    public PresenceLimitException(String message) {
        super(message, null, false, false);
    }
}
