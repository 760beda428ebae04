package dev.herald.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SSE client on a raw socket, so tests see the bytes on the wire: it sends one HTTP/1.1 {@code GET}, parses the
 * response head, decodes chunked transfer coding strictly (RFC 9112 section 7.1: hex size, CRLF, data, CRLF, a
 * zero-size last chunk) and feeds the body to an {@link SseParser}.
 *
 * <p>Nothing is read until a test asks: {@link #nextEvent}, {@link #awaitPreamble}, {@link #awaitEnd} and the like
 * read from the socket until what they wait for has arrived or their deadline passes. A connection nobody asks
 * anything of therefore never reads, which is how a test plays a stalled client. Not thread-safe: one test thread
 * drives one connection.
 */
public final class SseConnection implements AutoCloseable {

    /** How a response body ended. */
    public enum Ending {
        /** The zero-size last chunk arrived: the server ended the stream deliberately. */
        TERMINATING_CHUNK,
        /** The server closed the connection mid-body, without the last chunk. */
        EOF_WITHOUT_TERMINATING_CHUNK,
        /** The connection was reset. */
        RESET,
        /** A response with a {@code Content-Length} body (an error answer) was read in full. */
        COMPLETE
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final byte[] buffer = new byte[65536];
    private final ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final ArrayDeque<SseEvent> events = new ArrayDeque<>();
    private final ArrayDeque<String> comments = new ArrayDeque<>();
    private final SseParser parser;
    private final ChunkDecoder chunks = new ChunkDecoder();
    private int status = -1;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private long contentLength = -1;
    private boolean chunked;
    private long retry = -1;
    private String preambleId;
    private int eventsSeen;
    private boolean peerClosed;
    private boolean reset;
    private Ending ending;

    private SseConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.parser = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                eventsSeen++;
                events.add(event);
            }

            @Override
            public void onComment(String text) {
                comments.add(text);
            }

            @Override
            public void onRetry(long millis) {
                retry = millis;
            }

            @Override
            public void onBlankLine(String lastEventId) {
                if (preambleId == null) {
                    preambleId = lastEventId;
                }
            }
        });
    }

    /**
     * Connects and sends {@code GET target}. {@code headers} are added as given (name, value pairs);
     * {@code receiveBufferSize > 0} shrinks the socket's receive buffer before connecting (a small TCP window).
     */
    public static SseConnection open(InetSocketAddress address, String target, int receiveBufferSize,
                                     String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name, value pairs");
        }
        StringBuilder request = new StringBuilder()
                .append("GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(address.getHostString()).append(':').append(address.getPort())
                .append("\r\n")
                .append("Accept: text/event-stream\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        request.append("\r\n");
        return raw(address, request.toString().getBytes(StandardCharsets.UTF_8), receiveBufferSize);
    }

    /**
     * Connects and sends {@code request} exactly as given: for methods other than {@code GET} and for deliberately
     * malformed requests. The answer is read like any other ({@link #status()}, {@link #completeBody()}).
     */
    public static SseConnection raw(InetSocketAddress address, byte[] request, int receiveBufferSize) {
        Socket socket = new Socket();
        try {
            if (receiveBufferSize > 0) {
                socket.setReceiveBufferSize(receiveBufferSize);
            }
            socket.connect(address, (int) DEFAULT_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return new SseConnection(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The response status, reading the head if it has not arrived yet. */
    public int status() {
        readHead(DEFAULT_TIMEOUT);
        return status;
    }

    /** Response headers by lower-cased name (the last value wins; tests never send repeated headers). */
    public Map<String, String> headers() {
        readHead(DEFAULT_TIMEOUT);
        return headers;
    }

    /** The response head exactly as received, status line through the blank line. */
    public String rawHead() {
        readHead(DEFAULT_TIMEOUT);
        return headBytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** The body decoded from its transfer coding, as far as it has been read. */
    public byte[] body() {
        return body.toByteArray();
    }

    /** A complete non-streaming body (such as a JSON error), read to its end. */
    public String completeBody() {
        awaitEnd(DEFAULT_TIMEOUT);
        return body.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads until the preamble (the first blank line) has been parsed, and returns the event source's last event
     * ID string right after it: the stream's starting cursor. Events that arrived with it stay queued.
     */
    public String awaitPreamble(Duration timeout) {
        long deadline = deadline(timeout);
        while (preambleId == null) {
            readOrFail(deadline, "the preamble");
        }
        return preambleId;
    }

    public String awaitPreamble() {
        return awaitPreamble(DEFAULT_TIMEOUT);
    }

    /** The next dispatched event; fails if none arrives within {@code timeout} or the stream ends first. */
    public SseEvent nextEvent(Duration timeout) {
        long deadline = deadline(timeout);
        while (events.isEmpty()) {
            readOrFail(deadline, "an event (" + eventsSeen + " so far)");
        }
        return events.poll();
    }

    public SseEvent nextEvent() {
        return nextEvent(DEFAULT_TIMEOUT);
    }

    /** The next {@code count} events. */
    public List<SseEvent> nextEvents(int count, Duration timeout) {
        long deadline = deadline(timeout);
        List<SseEvent> out = new ArrayList<>(count);
        while (out.size() < count) {
            out.add(nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
        }
        return out;
    }

    /** The next comment line's text (after the colon). */
    public String nextComment(Duration timeout) {
        long deadline = deadline(timeout);
        while (comments.isEmpty()) {
            readOrFail(deadline, "a comment");
        }
        return comments.poll();
    }

    /** Reads until the body ends, parsing what comes before; fails if it does not end within {@code timeout}. */
    public Ending awaitEnd(Duration timeout) {
        long deadline = deadline(timeout);
        while (ending == null) {
            read(deadline, "the end of the response");
        }
        return ending;
    }

    /** After the body ended, waits for the server to close the connection, expecting no further bytes. */
    public void awaitClosedByServer(Duration timeout) {
        awaitEnd(timeout);
        long deadline = deadline(timeout);
        while (!peerClosed && !reset) {
            int before = body.size();
            read(deadline, "the server to close the connection");
            if (body.size() != before) {
                throw new AssertionError("bytes after the end of the response");
            }
        }
    }

    /** The event source's last event ID string: what a reconnecting {@code EventSource} sends. */
    public String lastEventId() {
        return parser.lastEventId();
    }

    /** The last {@code retry:} value, or -1. */
    public long retry() {
        return retry;
    }

    /** Events parsed but not yet taken by {@link #nextEvent}. */
    public List<SseEvent> pendingEvents() {
        return List.copyOf(events);
    }

    /** Fails if events were parsed that the test never looked at. */
    public void assertExhausted() {
        if (!events.isEmpty()) {
            throw new AssertionError("unconsumed events: " + events);
        }
    }

    public boolean ended() {
        return ending != null;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readHead(Duration timeout) {
        long deadline = deadline(timeout);
        while (status < 0) {
            readOrFail(deadline, "the response head");
        }
    }

    private void readOrFail(long deadline, String what) {
        if (ending != null) {
            throw new AssertionError("the response ended (" + ending + ") while waiting for " + what);
        }
        read(deadline, what);
    }

    /** One socket read, fed through the head parser, the chunk decoder and the SSE parser. */
    private void read(long deadline, String what) {
        if (peerClosed || reset) {
            if (ending == null) {
                ending = reset ? Ending.RESET : Ending.EOF_WITHOUT_TERMINATING_CHUNK;
            }
            throw new AssertionError("the connection is closed (" + ending + "); waiting for " + what);
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new AssertionError("timed out waiting for " + what);
        }
        int n;
        try {
            socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(remaining).toMillis()));
            n = in.read(buffer);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what);
        } catch (SocketException e) {
            reset = true;
            if (ending == null) {
                ending = Ending.RESET;
            }
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (n < 0) {
            peerClosed = true;
            if (ending == null) {
                ending = Ending.EOF_WITHOUT_TERMINATING_CHUNK;
            }
            return;
        }
        accept(buffer, 0, n);
    }

    private void accept(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (status < 0 && i < end) {
            headBytes.write(bytes[i++]);
            if (headComplete()) {
                parseHead();
            }
        }
        if (i == end || ending != null) {
            return;
        }
        if (chunked) {
            chunks.decode(bytes, i, end - i);
        } else {
            body(bytes, i, end - i);
            if (contentLength >= 0 && body.size() >= contentLength) {
                ending = Ending.COMPLETE;
            }
        }
    }

    private boolean headComplete() {
        int size = headBytes.size();
        if (size < 4) {
            return false;
        }
        byte[] head = headBytes.toByteArray();
        return head[size - 4] == '\r' && head[size - 3] == '\n' && head[size - 2] == '\r' && head[size - 1] == '\n';
    }

    private void parseHead() {
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (!statusLine[0].equals("HTTP/1.1")) {
            throw new AssertionError("not an HTTP/1.1 status line: " + lines[0]);
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new AssertionError("malformed header line: " + lines[i]);
            }
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        String length = headers.get("content-length");
        contentLength = length == null ? -1 : Long.parseLong(length);
        status = Integer.parseInt(statusLine[1]);
        if (!chunked && contentLength == 0) {
            ending = Ending.COMPLETE;
        }
    }

    private void body(byte[] bytes, int offset, int length) {
        body.write(bytes, offset, length);
        if (chunked) {
            parser.feed(bytes, offset, length);
        }
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /** Strict decoder of the chunked transfer coding; any deviation fails the test. */
    private final class ChunkDecoder {
        private final StringBuilder line = new StringBuilder();
        private long remaining;
        private State state = State.SIZE;

        private enum State { SIZE, DATA, DATA_CR, DATA_LF, TRAILER }

        void decode(byte[] bytes, int offset, int length) {
            int i = offset;
            int end = offset + length;
            while (i < end) {
                if (ending != null) {
                    throw new AssertionError("bytes after the last chunk");
                }
                switch (state) {
                    case SIZE -> {
                        char c = (char) (bytes[i++] & 0xff);
                        line.append(c);
                        if (c == '\n') {
                            String text = line.toString();
                            line.setLength(0);
                            if (!text.matches("[0-9a-fA-F]{1,15}\r\n")) {
                                throw new AssertionError("malformed chunk size line: " + text.strip());
                            }
                            remaining = Long.parseLong(text.strip(), 16);
                            state = remaining == 0 ? State.TRAILER : State.DATA;
                        }
                    }
                    case DATA -> {
                        int n = (int) Math.min(remaining, end - i);
                        body(bytes, i, n);
                        i += n;
                        remaining -= n;
                        if (remaining == 0) {
                            state = State.DATA_CR;
                        }
                    }
                    case DATA_CR -> {
                        expect(bytes[i++], '\r');
                        state = State.DATA_LF;
                    }
                    case DATA_LF -> {
                        expect(bytes[i++], '\n');
                        state = State.SIZE;
                    }
                    case TRAILER -> {
                        char c = (char) (bytes[i++] & 0xff);
                        line.append(c);
                        if (c == '\n') {
                            boolean blank = line.toString().equals("\r\n");
                            line.setLength(0);
                            if (blank) {
                                ending = Ending.TERMINATING_CHUNK;
                            }
                        }
                    }
                    default -> throw new IllegalStateException(state.name());
                }
            }
        }

        private void expect(byte actual, char expected) {
            if (actual != expected) {
                throw new AssertionError("chunk data not followed by CRLF: got byte " + actual);
            }
        }
    }
}
