package dev.herald.server.websocket;

import dev.herald.core.ChannelId;
import org.jspecify.annotations.Nullable;

/**
 * A command Herald refuses, answered with an {@code error} frame carrying the machine-readable {@link #code()}
 * (docs/protocol.md lists them all), the command's {@code ref} and, when known, its channel. The connection stays
 * open. Thrown by {@link WebSocketCodec} and by the command handling.
 */
final class WebSocketProblem extends RuntimeException {

    private final String code;
    private final @Nullable Object ref;
    private final @Nullable ChannelId channel;

    WebSocketProblem(String code, String message, @Nullable Object ref, @Nullable ChannelId channel) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
        this.channel = channel;
    }

    WebSocketProblem(String code, String message) {
        this(code, message, null, null);
    }

    String code() {
        return code;
    }

    @Nullable Object ref() {
        return ref;
    }

    @Nullable ChannelId channel() {
        return channel;
    }

    /** The same problem, answering the command with {@code ref} on {@code channel}. */
    WebSocketProblem about(@Nullable Object newRef, @Nullable ChannelId newChannel) {
        return new WebSocketProblem(code, getMessage(), newRef, newChannel);
    }
}
