package dev.herald.core;

/**
 * The sink a transport adapter implements for one client connection (or one held long poll). A subscriber may hold
 * subscriptions to several channels.
 *
 * <p>Thread-safety: every method may be called from any thread, concurrently for different channels; for one channel
 * calls arrive in order and never concurrently. Implementations must not block: they queue and return.
 */
public interface Subscriber {

    /**
     * Queues {@code message} for delivery. Returns {@code false} when the subscriber cannot take it (its bounded
     * buffer is full, or it is closed); the node then closes it with {@link CloseReason#SLOW_CONSUMER}.
     */
    boolean offer(Message message);

    /**
     * Queues the explicit reset signal for one channel, ahead of the messages that follow it. Same contract as
     * {@link #offer(Message)}.
     */
    boolean offerReset(Reset reset);

    /** Ends the connection for {@code reason}. Idempotent; must not block. */
    void close(CloseReason reason);
}
