package dev.herald.core.spi;

import dev.herald.core.PresenceEvent;

/** Receives presence changes (joins and leaves) from a {@link Presence}. */
@FunctionalInterface
public interface PresenceListener {

    /**
     * Called for each change, in revision order per channel, never concurrently for one channel. Must not block.
     */
    void onPresence(PresenceEvent event);
}
