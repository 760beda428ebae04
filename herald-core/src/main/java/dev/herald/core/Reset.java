package dev.herald.core;

/**
 * The explicit signal that a subscriber's cursor could not be served in full.
 *
 * @param channel  the channel concerned
 * @param reason   why
 * @param position where the stream continues from: every message after it follows, so a client should reload its
 *                 state and then resume from here
 */
public record Reset(ChannelId channel, GapReason reason, StreamPosition position) {
}
