package dev.herald.core.internal;

import java.time.Duration;

/** Argument checks shared by Herald's configuration types. Not an API. */
public final class Preconditions {

    private Preconditions() {
    }

    /** Throws {@link IllegalArgumentException} with {@code message} unless {@code condition} holds. */
    public static void requireArgument(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Whether {@code duration} is longer than zero. */
    public static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }
}
