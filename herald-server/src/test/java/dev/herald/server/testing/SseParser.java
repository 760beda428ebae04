package dev.herald.server.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A byte-for-byte implementation of how a browser interprets a {@code text/event-stream} (WHATWG HTML, section
 * 9.2.6 "Interpreting an event stream"): lines end at CR LF, LF or CR; a leading BOM is dropped; fields are
 * {@code event}, {@code data}, {@code id} (ignored when it contains NUL) and {@code retry} (digits only); lines
 * starting with {@code :} are comments; a blank line dispatches; an event with an empty data buffer is not
 * dispatched; an unfinished event at the end of the stream is discarded.
 *
 * <p>Splitting lines on bytes is safe: CR and LF never occur inside a multi-byte UTF-8 sequence, so each line is
 * decoded whole. Not thread-safe.
 */
public final class SseParser {

    /** Receives what the parser finds, in stream order. */
    public interface Listener {
        void onEvent(SseEvent event);

        /** A comment line; {@code text} is everything after the colon. */
        default void onComment(String text) {
        }

        default void onRetry(long millis) {
        }

        /** Every blank line, dispatching or not, with the event source's last event ID string after it. */
        default void onBlankLine(String lastEventId) {
        }
    }

    private final Listener listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventIdBuffer = "";
    private String lastEventId = "";
    private boolean afterCr;
    private boolean firstLine = true;
    private int blankLines;

    public SseParser(Listener listener) {
        this.listener = listener;
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    public void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue;   // the LF of a CR LF pair
                }
            }
            if (b == '\r') {
                line();
                afterCr = true;
            } else if (b == '\n') {
                line();
            } else {
                line.write(b);
            }
        }
    }

    /** The event source's last event ID string: what {@code EventSource} would send as {@code Last-Event-ID}. */
    public String lastEventId() {
        return lastEventId;
    }

    /** Blank lines seen so far, including those that dispatched nothing (such as after the preamble). */
    public int blankLines() {
        return blankLines;
    }

    private void line() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (firstLine) {
            firstLine = false;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            listener.onComment(text.substring(1));
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> eventType = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventIdBuffer = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    listener.onRetry(Long.parseLong(value));
                }
            }
            default -> {
                // unknown fields are ignored
            }
        }
    }

    private void dispatch() {
        blankLines++;
        lastEventId = lastEventIdBuffer;
        listener.onBlankLine(lastEventId);
        if (data.isEmpty()) {
            eventType = "";
            return;
        }
        String text = data.charAt(data.length() - 1) == '\n' ? data.substring(0, data.length() - 1) : data.toString();
        SseEvent event = new SseEvent(eventType.isEmpty() ? "message" : eventType, text, lastEventId);
        data.setLength(0);
        eventType = "";
        listener.onEvent(event);
    }
}
