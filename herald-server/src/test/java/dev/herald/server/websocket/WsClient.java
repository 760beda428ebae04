package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A real WebSocket client for tests: the JDK's {@link java.net.http.WebSocket}, recording every frame it receives
 * in order. Text frames are parsed as JSON; binary frames are kept as {@link Binary}. Consuming methods
 * ({@link #next()}, {@link #nextOfType}) walk the record in order, waiting with a deadline; snapshots leave it
 * untouched. Thread-safe.
 */
final class WsClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** A binary frame: the JSON header and the payload after it. */
    record Binary(JsonNode header, byte[] payload) {
    }

    /** How the server closed the connection (or -1 / "" when it closed the TCP connection without a frame). */
    record Closed(int code, String reason) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Object> frames = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private int consumed;
    private int pings;
    private volatile WebSocket socket;

    private WsClient() {
    }

    /** Connects to {@code ws://127.0.0.1:port/v1/ws?query} with the given header name/value pairs. */
    static WsClient connect(HttpClient http, int port, String query, String... headers) {
        WsClient client = new WsClient();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        URI uri = URI.create("ws://127.0.0.1:" + port + "/v1/ws" + (query.isEmpty() ? "" : "?" + query));
        client.socket = builder.buildAsync(uri, client.listener()).orTimeout(20, TimeUnit.SECONDS).join();
        return client;
    }

    static WsClient connect(HttpClient http, int port) {
        return connect(http, port, "");
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String frame = text.toString();
                    text.setLength(0);
                    record(parse(frame));
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                binary.writeBytes(chunk);
                if (last) {
                    byte[] frame = binary.toByteArray();
                    binary.reset();
                    int headerLength = ((frame[0] & 0xff) << 8) | (frame[1] & 0xff);
                    JsonNode header = parse(new String(frame, 2, headerLength, StandardCharsets.UTF_8));
                    byte[] payload = java.util.Arrays.copyOfRange(frame, 2 + headerLength, frame.length);
                    record(new Binary(header, payload));
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                lock.lock();
                try {
                    pings++;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(new Closed(statusCode, reason));
                signal();
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(new Closed(-1, String.valueOf(error)));
                signal();
            }
        };
    }

    private void record(Object frame) {
        lock.lock();
        try {
            frames.add(frame);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    // --- sending -----------------------------------------------------------------------------------------------------

    void send(String text) {
        socket.sendText(text, true).orTimeout(20, TimeUnit.SECONDS).join();
    }

    void send(JsonNode frame) {
        send(frame.toString());
    }

    /** A frame built from alternating field names and values. */
    static ObjectNode frame(Object... fields) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < fields.length; i += 2) {
            node.set((String) fields[i], JSON.valueToTree(fields[i + 1]));
        }
        return node;
    }

    void subscribe(String channel, @Nullable String after, boolean presence, String ref) {
        ObjectNode frame = frame("type", "subscribe", "channel", channel, "ref", ref);
        if (after != null) {
            frame.put("after", after);
        }
        if (presence) {
            frame.put("presence", true);
        }
        send(frame);
    }

    /** Subscribes and waits for the ack; returns its position. */
    String subscribeAndWait(String channel, @Nullable String after, boolean presence) {
        String ref = "sub-" + channel;
        subscribe(channel, after, presence, ref);
        JsonNode ack = nextMatching(f -> f instanceof JsonNode n && ref.equals(n.path("ref").asText())
                && (n.path("type").asText().equals("ack") || n.path("type").asText().equals("error")));
        if (!ack.path("type").asText().equals("ack")) {
            throw new AssertionError("subscribe to " + channel + " failed: " + ack);
        }
        return ack.path("position").asText();
    }

    void sendBinary(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).orTimeout(20, TimeUnit.SECONDS).join();
    }

    /** A binary publish frame: header length, JSON header, payload. */
    static byte[] binaryFrame(JsonNode header, byte[] payload) {
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + head.length + payload.length];
        frame[0] = (byte) (head.length >>> 8);
        frame[1] = (byte) head.length;
        System.arraycopy(head, 0, frame, 2, head.length);
        System.arraycopy(payload, 0, frame, 2 + head.length, payload.length);
        return frame;
    }

    WebSocket socket() {
        return socket;
    }

    /** Drops the TCP connection without a close frame, as a network failure or a killed tab would. */
    void abort() {
        socket.abort();
    }

    // --- receiving ---------------------------------------------------------------------------------------------------

    /** The next frame not yet consumed, waiting for it. */
    Object nextFrame() {
        return nextFrameMatching(f -> true);
    }

    /** The next text frame (consuming any frame before it that does not match and failing if a binary one does). */
    JsonNode next() {
        Object frame = nextFrame();
        if (!(frame instanceof JsonNode node)) {
            throw new AssertionError("expected a text frame but got " + frame);
        }
        return node;
    }

    /** Skips frames until one of {@code type} arrives, and returns it. */
    JsonNode nextOfType(String type) {
        return nextMatching(f -> f instanceof JsonNode n && n.path("type").asText().equals(type));
    }

    JsonNode nextMatching(Predicate<Object> wanted) {
        return (JsonNode) nextFrameMatching(wanted);
    }

    Binary nextBinary() {
        return (Binary) nextFrameMatching(f -> f instanceof Binary);
    }

    /** Consumes frames up to and including the first that matches; fails at the deadline. */
    Object nextFrameMatching(Predicate<Object> wanted) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        lock.lock();
        try {
            while (true) {
                while (consumed < frames.size()) {
                    Object frame = frames.get(consumed++);
                    if (wanted.test(frame)) {
                        return frame;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for a frame; got " + frames + (closed.isDone()
                            ? ", closed " + closed.join() : ""));
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Every frame received so far, consumed or not. */
    List<Object> frames() {
        lock.lock();
        try {
            return List.copyOf(frames);
        } finally {
            lock.unlock();
        }
    }

    /** Frames received but not consumed yet. */
    List<Object> unconsumed() {
        lock.lock();
        try {
            return List.copyOf(frames.subList(consumed, frames.size()));
        } finally {
            lock.unlock();
        }
    }

    int pings() {
        lock.lock();
        try {
            return pings;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the server has pinged this client {@code n} times. */
    void awaitPings(int n) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        lock.lock();
        try {
            while (pings < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + n + " pings; got " + pings);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** How the connection ended, waiting for it. */
    Closed awaitClose() {
        return closed.orTimeout(20, TimeUnit.SECONDS).join();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        WebSocket s = socket;
        if (s != null && !s.isOutputClosed()) {
            s.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(failure -> null).join();
        }
        if (s != null) {
            s.abort();
        }
    }
}
