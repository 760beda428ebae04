package dev.herald.core;

/**
 * The node cannot do what was asked right now, for a reason that is not the caller's fault: the broker is
 * unreachable, or a node-wide capacity bound (number of channels) is reached. Transports answer 503.
 */
public final class HeraldUnavailableException extends RuntimeException {

    public HeraldUnavailableException(String message) {
        super(message);
    }

    public HeraldUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
