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

    /**
     * Queues a presence change (or, first, the full member list) for a subscription that asked for presence
     * ({@link HeraldNode#subscribe(ChannelId, StreamPosition, Subscriber, Member)}); never called otherwise. Same
     * contract as {@link #offer(Message)}. Presence is not ordered against messages: it is the channel's state now.
     *
     * @since 0.1
     */
    default boolean offerPresence(PresenceEvent event) {
        return true;
    }

    /** Ends the connection for {@code reason}. Idempotent; must not block. */
    void close(CloseReason reason);
}
