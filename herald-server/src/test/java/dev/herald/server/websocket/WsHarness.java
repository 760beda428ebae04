package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.HeraldServer;
import dev.herald.server.HeraldServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A real Herald on an ephemeral loopback port plus the clients a WebSocket test needs. Closing it closes every
 * client it opened, then shuts the server down.
 */
final class WsHarness implements AutoCloseable {

    private final HeraldServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WsClient.TIMEOUT).build();
    private final List<WsClient> clients = new CopyOnWriteArrayList<>();

    private WsHarness(HeraldServer server) {
        this.server = server;
    }

    static WsHarness start() {
        return start(UnaryOperator.identity());
    }

    static WsHarness start(UnaryOperator<HeraldServerConfig.Builder> customiser) {
        HeraldServerConfig.Builder config = HeraldServerConfig.builder()
                .host("127.0.0.1").port(0).ioThreads(2).shutdownGrace(Duration.ofSeconds(5));
        return new WsHarness(HeraldServer.start(customiser.apply(config).build()));
    }

    HeraldServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    HttpClient http() {
        return http;
    }

    URI uri(String target) {
        return URI.create("http://127.0.0.1:" + port() + target);
    }

    /** Opens a WebSocket ({@code query} without {@code ?}, then header name/value pairs). */
    WsClient client(String query, String... headers) {
        WsClient client = WsClient.connect(http, port(), query, headers);
        clients.add(client);
        return client;
    }

    WsClient client() {
        return client("");
    }

    /** Opens a WebSocket and consumes its {@code connected} frame. */
    WsClient connected(String query) {
        WsClient client = client(query);
        JsonNode hello = client.next();
        if (!hello.path("type").asText().equals("connected")) {
            throw new AssertionError("first frame is not connected: " + hello);
        }
        return client;
    }

    HttpResponse<String> get(String target) {
        return send(HttpRequest.newBuilder(uri(target)).timeout(WsClient.TIMEOUT).GET().build());
    }

    HttpResponse<String> post(String target, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(target)).timeout(WsClient.TIMEOUT)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Publishes text over HTTP; returns the id. */
    String publish(String channel, String text) {
        return ok(post("/v1/channels/" + channel + "/messages", "text/plain; charset=utf-8",
                text.getBytes(StandardCharsets.UTF_8))).get("id").asText();
    }

    static JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200 from " + response.request().uri() + " but got "
                    + response.statusCode() + ": " + response.body());
        }
        return WsClient.parse(response.body());
    }

    /** Waits for {@code condition}, failing with {@code what} at the deadline. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WsClient.TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WsClient.TIMEOUT + " waiting for " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    @Override
    public void close() {
        try {
            for (WsClient client : clients) {
                client.socket().abort();
            }
            server.close();
        } finally {
            http.shutdownNow();
        }
    }
}
