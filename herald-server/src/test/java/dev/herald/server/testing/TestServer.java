package dev.herald.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.HeraldServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A real {@link HeraldServer} on an ephemeral loopback port, with the clients a test needs:
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start(config -> config.historySize(10))) {
 *     String id = server.publish("news", "hello");
 *     try (SseConnection sse = server.sse("/v1/sse?channel=news", "Last-Event-ID", id)) { ... }
 * }
 * }</pre>
 *
 * Closing it shuts the server down gracefully and closes the HTTP client. Thread-safe, like the server.
 */
public final class TestServer implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HeraldServer server;
    private final HttpClient http;

    private TestServer(HeraldServer server) {
        this.server = server;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
    }

    public static TestServer start() {
        return start(UnaryOperator.identity());
    }

    /** Starts a server on the test defaults (port 0, two I/O threads, a short grace), then {@code customiser}. */
    public static TestServer start(UnaryOperator<HeraldServerConfig.Builder> customiser) {
        HeraldServerConfig.Builder config = HeraldServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .ioThreads(2)
                .shutdownGrace(Duration.ofSeconds(5));
        return new TestServer(HeraldServer.start(customiser.apply(config).build()));
    }

    public HeraldServer server() {
        return server;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    public URI uri(String target) {
        return URI.create("http://127.0.0.1:" + server.port() + target);
    }

    public HttpClient http() {
        return http;
    }

    /** Percent-encodes a query parameter value. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // --- plain requests ---------------------------------------------------------------------------------------------

    public HttpResponse<String> get(String target) {
        return send(HttpRequest.newBuilder(uri(target)).timeout(TIMEOUT).GET().build());
    }

    public CompletableFuture<HttpResponse<String>> getAsync(String target) {
        return http.sendAsync(HttpRequest.newBuilder(uri(target)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> post(String target, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(target)).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- Herald operations ------------------------------------------------------------------------------------------

    /** Publishes UTF-8 text and returns the message id; fails unless the server answers 200. */
    public String publish(String channel, String text) {
        return publish(channel, text, null);
    }

    /** Publishes UTF-8 text with an event type ({@code null} for none) and returns the message id. */
    public String publish(String channel, String text, String event) {
        String target = "/v1/channels/" + channel + "/messages" + (event == null ? "" : "?event=" + encode(event));
        JsonNode answer = ok(post(target, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8)));
        return answer.get("id").asText();
    }

    /** {@code GET /v1/channels/{channel}/messages?{query}}, which must answer 200. */
    public JsonNode history(String channel, String query) {
        return ok(get("/v1/channels/" + channel + "/messages" + (query.isEmpty() ? "" : "?" + query)));
    }

    /** {@code GET /v1/poll?{query}}, which must answer 200. */
    public JsonNode poll(String query) {
        return ok(get("/v1/poll?" + query));
    }

    /** Opens an SSE stream on a raw socket; {@code headers} are name, value pairs. */
    public SseConnection sse(String target, String... headers) {
        return SseConnection.open(address(), target, 0, headers);
    }

    /** The body of a 200 answer as JSON; fails with the status and body otherwise. */
    public static JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200 from " + response.request().uri() + " but got "
                    + response.statusCode() + ": " + response.body());
        }
        return json(response.body());
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** The offset of a message id or single-channel cursor, {@code <epoch>-<offset>}. */
    public static long offset(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** The epoch of a message id or single-channel cursor. */
    public static String epoch(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    /** Reads one response from a raw connection (its body by Content-Length, none without): head and body, as text. */
    public static String readResponse(InputStream in) throws IOException {
        String head = readHead(in);
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length: ");
        int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 16, lower.indexOf("\r\n", at)).trim());
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * Reads one response's head from a raw connection, up to and including its blank line: all there is of an
     * answer to HEAD, whatever its Content-Length says.
     */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed mid-response: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            http.shutdownNow();
        }
    }
}
