package dev.herald.core;

/** One subscriber's interest in one channel. Thread-safe. */
public interface Subscription extends AutoCloseable {

    ChannelId channel();

    /**
     * Where this subscription started: the cursor it resumed from, the reset position when that cursor could not be
     * served, or the channel's latest position for a live-only subscription. Messages after it are delivered.
     */
    StreamPosition start();

    /** Stops deliveries. Idempotent, never throws. */
    @Override
    void close();
}
