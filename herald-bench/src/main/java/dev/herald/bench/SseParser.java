package dev.herald.bench;

import io.netty.buffer.ByteBuf;

/**
 * Incremental {@code text/event-stream} parser, just enough for the bench: it tracks the {@code event:} field and
 * hands each event's {@code data:} bytes (lines joined by LF) to a callback when the blank line ends the event.
 * Comments and {@code id:}/{@code retry:} lines are skipped. Lines may be split across reads. Not thread-safe.
 */
public final class SseParser {

    /** Receives dispatched events. {@code data} is valid only during the call. */
    public interface Listener {
        void onEvent(boolean reset, byte[] data, int length);
    }

    private final Listener listener;
    private byte[] line = new byte[256];
    private int lineLength;
    private byte[] data = new byte[256];
    private int dataLength;
    private boolean hasData;
    private boolean reset;
    private boolean lastWasCr;

    public SseParser(Listener listener) {
        this.listener = listener;
    }

    public void feed(ByteBuf buf) {
        int end = buf.writerIndex();
        for (int i = buf.readerIndex(); i < end; i++) {
            feed(buf.getByte(i));
        }
        buf.readerIndex(end);
    }

    public void feed(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            feed(bytes[i]);
        }
    }

    private void feed(byte b) {
        if (b == '\n' && lastWasCr) {
            lastWasCr = false;
            return;
        }
        lastWasCr = b == '\r';
        if (b == '\r' || b == '\n') {
            line();
            lineLength = 0;
            return;
        }
        if (lineLength == line.length) {
            line = java.util.Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
    }

    private void line() {
        if (lineLength == 0) {
            if (hasData) {
                listener.onEvent(reset, data, dataLength);
            }
            hasData = false;
            reset = false;
            dataLength = 0;
            return;
        }
        if (line[0] == ':') {
            return;
        }
        int colon = 0;
        while (colon < lineLength && line[colon] != ':') {
            colon++;
        }
        int value = colon + 1;
        if (value < lineLength && line[value] == ' ') {
            value++;
        }
        value = Math.min(value, lineLength);
        if (is("data", colon)) {
            if (hasData) {
                append((byte) '\n');
            }
            hasData = true;
            for (int i = value; i < lineLength; i++) {
                append(line[i]);
            }
        } else if (is("event", colon)) {
            reset = lineLength - value == 5 && line[value] == 'r' && line[value + 1] == 'e' && line[value + 2] == 's'
                    && line[value + 3] == 'e' && line[value + 4] == 't';
        }
    }

    private boolean is(String field, int length) {
        if (length != field.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void append(byte b) {
        if (dataLength == data.length) {
            data = java.util.Arrays.copyOf(data, data.length * 2);
        }
        data[dataLength++] = b;
    }
}
