package dev.herald.core;

/** A cursor's text could not be parsed. The message says why, without echoing more than 64 characters of input. */
public final class MalformedCursorException extends IllegalArgumentException {

    public MalformedCursorException(String message) {
        super(message);
    }
}
