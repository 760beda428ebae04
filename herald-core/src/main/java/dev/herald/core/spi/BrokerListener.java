package dev.herald.core.spi;

import dev.herald.core.Message;

/** Receives the messages of channels this node subscribed to. */
@FunctionalInterface
public interface BrokerListener {

    /**
     * Called for each message, in offset order per channel, never concurrently for one channel. Must not block: it
     * may run on the broker's I/O thread.
     */
    void onMessage(Message message);
}
