package dev.herald.server.sse;

import dev.herald.core.Message;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Pure encoder of the {@code text/event-stream} format (WHATWG HTML, "Server-sent events"). No I/O.
 *
 * <p>A payload's lines become one {@code data:} line each, split at CR LF, CR or LF, so an {@code EventSource}
 * joins them back with LF: the text arrives as published, except that CR and CR LF line breaks arrive as LF,
 * which the format cannot avoid. Field values never contain CR or LF: ids, event types and channel names are
 * validated to exclude them, which is what stops a publisher from injecting fields (CWE-93).
 */
public final class SseFormat {

    /** {@code event:}/{@code data:} lines and the blank line, without {@code id:}; shared by all subscribers. */
    public static final Message.Encoding<byte[]> BODY = Message.Encoding.create(m -> bytes(null, m.event(),
            m.payload().asText()));

    /** A whole event with the message's own position as {@code id:}, for single-channel streams. */
    public static final Message.Encoding<byte[]> WITH_ID = Message.Encoding.create(m -> bytes(
            m.position().toString(), m.event(), m.payload().asText()));

    private SseFormat() {
    }

    /** One event: optional {@code id:} and {@code event:} fields, then {@code data:} lines, then a blank line. */
    public static String event(@Nullable String id, @Nullable String event, String data) {
        StringBuilder out = new StringBuilder(data.length() + 32);
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            out.append("event: ").append(event).append('\n');
        }
        int start = 0;
        int length = data.length();
        for (int i = 0; i < length; i++) {
            char c = data.charAt(i);
            if (c == '\r' || c == '\n') {
                out.append("data: ").append(data, start, i).append('\n');
                if (c == '\r' && i + 1 < length && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.append("data: ").append(data, start, length).append("\n\n");
        return out.toString();
    }

    public static byte[] bytes(@Nullable String id, @Nullable String event, String data) {
        return event(id, event, data).getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code id:} line alone. */
    public static byte[] idLine(String id) {
        return ("id: " + id + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The stream's preamble: the reconnect hint and the starting cursor (an id with no data dispatches nothing). */
    public static byte[] preamble(long retryMillis, String cursor) {
        return ("retry: " + retryMillis + "\nid: " + cursor + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A comment line that keeps idle proxies and NATs from dropping the connection. */
    public static byte[] keepAlive() {
        return ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    }
}
