package dev.herald.bench;

import java.nio.charset.StandardCharsets;

/**
 * The bench's message payload: {@code <seq> <publishNanos> <padding>}, ASCII. {@code seq} counts from 1 per
 * channel, so each subscriber's checker knows what it should see; {@code publishNanos} is {@link System#nanoTime()}
 * just before the publish request was written. On Linux {@code nanoTime} reads {@code CLOCK_MONOTONIC}, one clock
 * for every process of the machine, so a subscriber in another process measures publish-to-delivery latency.
 * A warm-up message's padding starts with {@code W} (the padding is otherwise lower case): subscribers check it
 * but leave it out of the latency. The text needs no escaping in SSE, JSON or a WebSocket text frame.
 */
public final class Payloads {

    private Payloads() {
    }

    /** A payload of at least {@code size} bytes (longer only when the two numbers alone exceed it). */
    public static byte[] encode(long seq, long publishNanos, int size) {
        return encode(seq, publishNanos, size, false);
    }

    /** {@link #encode(long, long, int)}, marked as a warm-up message when {@code warmup}. */
    public static byte[] encode(long seq, long publishNanos, int size, boolean warmup) {
        String head = seq + " " + publishNanos + " ";
        byte[] out = new byte[Math.max(size, head.length() + 1)];
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, out, 0, h.length);
        for (int i = h.length; i < out.length; i++) {
            out[i] = (byte) ('a' + (i % 26));
        }
        if (warmup) {
            out[h.length] = WARMUP;
        }
        return out;
    }

    private static final byte WARMUP = 'W';

    /**
     * Parses the two numbers from {@code bytes[from, to)} into {@code into[0]} (seq) and {@code into[1]} (nanos),
     * and, when {@code into} has room, whether it is a warm-up message into {@code into[2]} (1 or 0). Returns
     * false when the bytes are not a bench payload.
     */
    public static boolean parse(byte[] bytes, int from, int to, long[] into) {
        int i = from;
        long seq = 0;
        int start = i;
        while (i < to && bytes[i] >= '0' && bytes[i] <= '9') {
            seq = seq * 10 + (bytes[i++] - '0');
        }
        if (i == start || i >= to || bytes[i] != ' ') {
            return false;
        }
        i++;
        start = i;
        long nanos = 0;
        boolean negative = i < to && bytes[i] == '-';
        if (negative) {
            i++;
            start++;
        }
        while (i < to && bytes[i] >= '0' && bytes[i] <= '9') {
            nanos = nanos * 10 + (bytes[i++] - '0');
        }
        if (i == start) {
            return false;
        }
        into[0] = seq;
        into[1] = negative ? -nanos : nanos;
        if (into.length > 2) {
            into[2] = i + 1 < to && bytes[i] == ' ' && bytes[i + 1] == WARMUP ? 1 : 0;
        }
        return true;
    }

    /** {@link #parse(byte[], int, int, long[])} on a string. */
    public static boolean parse(CharSequence text, long[] into) {
        byte[] bytes = new byte[Math.min(text.length(), 48)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) text.charAt(i);
        }
        return parse(bytes, 0, bytes.length, into);
    }
}
