package dev.herald.redis;

import dev.herald.core.ChannelId;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a message travels as between nodes, built by {@code publish.lua} and decoded here, for pub/sub and for
 * history alike:
 *
 * <pre>{@code <epoch> <offset> <publish time ms> <kind><e|d> <event>\n<payload bytes>}</pre>
 *
 * <p>{@code kind} is {@code t} (text), {@code j} (JSON) or {@code b} (binary); {@code e} marks an ephemeral message,
 * {@code d} a durable one; {@code event} is empty when the publisher gave none. Epochs, offsets and event types
 * contain neither spaces nor line breaks, so the header is unambiguous, and the payload follows verbatim (binary
 * payloads need no escaping). A pure codec: no I/O, thread-safe.
 */
final class RedisFrame {

    private RedisFrame() {
    }

    /** The {@code kind} character a payload travels with. */
    static String kind(Payload payload) {
        return switch (payload.kind()) {
            case TEXT -> "t";
            case JSON -> "j";
            case BINARY -> "b";
        };
    }

    /** Decodes a frame of {@code channel}; throws {@link IllegalArgumentException} saying what is wrong. */
    static Message decode(ChannelId channel, byte[] frame) {
        int newline = -1;
        for (int i = 0; i < frame.length && i < 256; i++) {
            if (frame[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            throw new IllegalArgumentException("frame of " + channel + " has no header line");
        }
        String[] header = new String(frame, 0, newline, StandardCharsets.US_ASCII).split(" ", 5);
        if (header.length != 5 || header[3].length() != 2) {
            throw new IllegalArgumentException("frame of " + channel + " has a malformed header");
        }
        StreamPosition position = new StreamPosition(header[0], Long.parseLong(header[1]));
        long publishedAt = Long.parseLong(header[2]);
        boolean ephemeral = header[3].charAt(1) == 'e';
        String event = header[4].isEmpty() ? null : header[4];
        byte[] body = Arrays.copyOfRange(frame, newline + 1, frame.length);
        Payload payload = switch (header[3].charAt(0)) {
            case 't' -> Payload.utf8(Payload.Kind.TEXT, body);
            case 'j' -> Payload.utf8(Payload.Kind.JSON, body);
            case 'b' -> Payload.binary(body);
            default -> throw new IllegalArgumentException("frame of " + channel + " has an unknown payload kind");
        };
        return Message.create(channel, position, publishedAt, new PublishOptions(event, ephemeral), payload);
    }
}
