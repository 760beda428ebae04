package dev.herald.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client of {@code /v1/ws} that collects the server's JSON text frames in order and lets a test wait for
 * them with a deadline. Thread-safe for one consumer.
 */
final class WsStream implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    /** Frames set aside while waiting for another kind (see {@link #await}); consumed first by {@link #next}. */
    private final Deque<JsonNode> backlog = new ArrayDeque<>();
    private final WebSocket socket;
    private String connection = "";

    private WsStream(URI node) {
        URI uri = URI.create("ws://" + node.getHost() + ":" + node.getPort() + "/v1/ws");
        this.socket = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                frames.add(JSON.readTree(text.toString()));
                            } catch (IOException e) {
                                frames.add(JSON.createObjectNode().put("type", "<unparseable>")
                                        .put("text", text.toString()));
                            }
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).orTimeout(20, TimeUnit.SECONDS).join();
    }

    /** Connects and waits for the {@code connected} frame. */
    static WsStream connect(URI node) {
        WsStream stream = new WsStream(node);
        stream.connection = stream.next("connected", ClusterFixture.TIMEOUT).path("connection").asText();
        return stream;
    }

    /** The server-assigned id of this connection, as presence lists it. */
    String connection() {
        return connection;
    }

    /** Subscribes to {@code channel} and waits for the server's acknowledgement. */
    WsStream subscribe(String channel) {
        return subscribe(channel, false);
    }

    /** Subscribes, joining the channel's presence when {@code presence}; waits for the acknowledgement. */
    WsStream subscribe(String channel, boolean presence) {
        socket.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"ref\":1"
                        + (presence ? ",\"presence\":true" : "") + "}", true)
                .orTimeout(20, TimeUnit.SECONDS).join();
        JsonNode ack = await("ack", frame -> true, ClusterFixture.TIMEOUT);
        if (!ack.hasNonNull("position")) {
            throw new AssertionError("subscribe was not acknowledged with a position: " + ack);
        }
        return this;
    }

    /** Waits for a frame of {@code type} matching {@code filter}; other frames are kept, in order, for later. */
    JsonNode await(String type, Predicate<JsonNode> filter, Duration timeout) {
        for (JsonNode frame : backlog) {
            if (type.equals(frame.path("type").asText()) && filter.test(frame)) {
                backlog.remove(frame);
                return frame;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                JsonNode frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new AssertionError("no " + type + " frame as expected within " + timeout
                            + "; other frames: " + backlog);
                }
                if (type.equals(frame.path("type").asText()) && filter.test(frame)) {
                    return frame;
                }
                backlog.addLast(frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame, which must be of {@code type}. */
    JsonNode next(String type, Duration timeout) {
        try {
            JsonNode frame = backlog.isEmpty() ? frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    : backlog.pollFirst();
            if (frame == null) {
                throw new AssertionError("no WebSocket frame within " + timeout + " (expected " + type + ")");
            }
            if (!type.equals(frame.path("type").asText())) {
                throw new AssertionError("expected a " + type + " frame but got " + frame);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        socket.abort();
    }
}
