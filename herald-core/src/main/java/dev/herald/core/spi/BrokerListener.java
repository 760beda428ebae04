package dev.herald.core.spi;

import dev.herald.core.ChannelId;
import dev.herald.core.Message;

/** Receives the messages of channels this node subscribed to. */
@FunctionalInterface
public interface BrokerListener {

    /**
     * Called for each message, in offset order per channel, never concurrently for one channel. Must not block: it
     * may run on the broker's I/O thread.
     */
    void onMessage(Message message);

    /**
     * Called when messages of {@code channel} may have been published without reaching this node: the broker's
     * connection was interrupted (e.g. Redis restarted or the network dropped) and its subscription to the channel
     * is active again. Every message published after this call reaches {@link #onMessage}; what was published during
     * the interruption is in {@link History} (unless history lost it too, which a read then reports as a gap), so the
     * listener catches up from there. A channel that received nothing after the interruption would otherwise never
     * notice. May be called when nothing was missed. Must not block; it may run on any broker thread, concurrently with
     * {@link #onMessage} for the same channel (a broker calls it once history can be read again). A broker
     * whose delivery cannot be interrupted (the in-memory one) never calls it.
     *
     * @since 0.1
     */
    default void onDeliveryInterrupted(ChannelId channel) {
    }
}
