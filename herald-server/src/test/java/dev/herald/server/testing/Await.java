package dev.herald.server.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, instead of sleeping for a guessed time. */
public final class Await {

    private static final long PAUSE_NANOS = Duration.ofMillis(2).toNanos();

    private Await() {
    }

    /** Returns as soon as {@code condition} holds; fails naming {@code what} if it does not within {@code timeout}. */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }

    public static void until(BooleanSupplier condition, Duration timeout) {
        until("the condition", condition, timeout);
    }
}
