package dev.herald.core.spi;

import dev.herald.core.ChannelId;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import java.util.concurrent.CompletableFuture;

/**
 * Carries messages between publishers and the nodes that have subscribers. Thread-safe.
 *
 * <p>Lifecycle: {@link #start(BrokerListener)} once, then any other method from any thread, then {@link #close()}.
 * After close, methods return failed futures.
 */
public interface Broker extends AutoCloseable {

    /** Called once, before anything else; the broker hands every message of a subscribed channel to it. */
    void start(BrokerListener listener);

    /**
     * Declares this node's interest in {@code channel}: from when the future completes, every message published to
     * it reaches the listener. Interest is counted per channel: it holds while calls to this method outnumber calls
     * to {@link #unsubscribe(ChannelId)}. The two may arrive concurrently and in any order for one channel (the hub
     * calls them outside its own locks), so a broker keeps the count under its own lock.
     */
    CompletableFuture<Void> subscribe(ChannelId channel);

    /** Withdraws this node's interest in {@code channel}. */
    CompletableFuture<Void> unsubscribe(ChannelId channel);

    /**
     * Assigns the next offset, appends to history (unless ephemeral) and fans out, atomically per channel: every
     * listener sees a channel's messages in offset order. Completes with the message's position; fails with
     * {@link dev.herald.core.HeraldUnavailableException} when the broker cannot take it (nothing half-written).
     */
    CompletableFuture<StreamPosition> publish(ChannelId channel, Payload payload, PublishOptions options);

    @Override
    void close();
}
