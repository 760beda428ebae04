package dev.herald.server.websocket;

import dev.herald.core.ChannelId;
import dev.herald.core.Payload;
import dev.herald.core.StreamPosition;
import org.jspecify.annotations.Nullable;

/**
 * What a client asks for in one frame (docs/protocol.md, "WebSocket"). Every command may carry a {@code ref} of
 * the client's choosing, a string of at most {@value #MAX_REF_LENGTH} characters or an integer, which the answer
 * ({@code ack}, {@code error} or {@code pong}) echoes unchanged.
 */
sealed interface ClientCommand {

    /** Longest accepted string {@code ref}. */
    int MAX_REF_LENGTH = 64;

    /** The client's {@code ref}: a {@link String}, a {@link Long}, or {@code null} when it sent none. */
    @Nullable Object ref();

    /** {@code subscribe}: deliver {@code channel}'s messages, resuming after {@code after} when given. */
    record Subscribe(@Nullable Object ref, ChannelId channel, @Nullable StreamPosition after, boolean presence)
            implements ClientCommand {
    }

    /** {@code unsubscribe}: stop delivering {@code channel}. */
    record Unsubscribe(@Nullable Object ref, ChannelId channel) implements ClientCommand {
    }

    /** {@code publish}, from a text frame or a binary frame. */
    record Publish(@Nullable Object ref, ChannelId channel, Payload payload, @Nullable String event,
                   boolean ephemeral) implements ClientCommand {
    }

    /** {@code ping}: answered with {@code pong}, for clients that cannot see WebSocket ping frames (browsers). */
    record Ping(@Nullable Object ref) implements ClientCommand {
    }
}
