package dev.herald.server.http;

import static dev.herald.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets its documented status and error code, and harms no one else: a subscriber on the
 * same server receives a message after each one, and its stream is never interrupted.
 */
class BadInputIT {

    private static final int MAX_MESSAGE_BYTES = 1024;

    private static TestServer server;
    private static SseConnection healthy;
    private static int delivered;

    @BeforeAll
    static void startServerWithAHealthySubscriber() {
        server = TestServer.start(config -> config.maxMessageBytes(MAX_MESSAGE_BYTES));
        healthy = server.sse("/v1/sse?channel=healthy");
        healthy.awaitPreamble();
    }

    @AfterEach
    void healthySubscriberStillReceives() {
        String text = "still fine " + ++delivered;
        String id = server.publish("healthy", text);
        assertThat(healthy.nextEvent()).isEqualTo(new SseEvent("message", text, id));
    }

    @AfterAll
    static void stopServer() {
        try {
            assertThat(healthy.ended()).isFalse();
            healthy.assertExhausted();
            assertThat(TestServer.offset(healthy.lastEventId())).isEqualTo(delivered);
            healthy.close();
        } finally {
            server.close();
        }
    }

    record Bad(String name, String method, String target, String contentType, byte[] body, int status, String error) {
        static Bad get(String name, String target, int status, String error) {
            return new Bad(name, "GET", target, null, new byte[0], status, error);
        }

        static Bad post(String name, String target, String contentType, byte[] body, int status, String error) {
            return new Bad(name, "POST", target, contentType, body, status, error);
        }

        static Bad post(String name, String target, String contentType, String body, int status, String error) {
            return post(name, target, contentType, body.getBytes(StandardCharsets.UTF_8), status, error);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String PUBLISH = "/v1/channels/news/messages";

    static Stream<Bad> badRequests() {
        String seventeen = IntStream.range(0, 17).mapToObj(i -> "channel=c" + i).collect(Collectors.joining("&"));
        String tooLongName = "n".repeat(129);
        byte[] oversized = new byte[MAX_MESSAGE_BYTES + 1];
        Arrays.fill(oversized, (byte) 'x');
        return Stream.of(
                // bodies
                Bad.post("truncated JSON", PUBLISH, "application/json", "{\"a\":", 400, "invalid_json"),
                Bad.post("JSON with trailing content", PUBLISH, "application/json", "{} {}", 400, "invalid_json"),
                Bad.post("single-quoted JSON", PUBLISH, "application/json; charset=utf-8", "{'a':1}", 400,
                        "invalid_json"),
                Bad.post("bad +json body", PUBLISH, "application/vnd.api+json", "[1,]", 400, "invalid_json"),
                Bad.post("empty body", PUBLISH, "text/plain", "", 400, "empty_body"),
                Bad.post("empty JSON body", PUBLISH, "application/json", "", 400, "empty_body"),
                Bad.post("text that is not UTF-8", PUBLISH, "text/plain",
                        new byte[] {'o', 'k', (byte) 0xC3, '(', (byte) 0xFF}, 400, "invalid_utf8"),
                Bad.post("oversized text body", PUBLISH, "text/plain", oversized, 413, "payload_too_large"),
                Bad.post("oversized binary body", PUBLISH, "application/octet-stream", oversized, 413,
                        "payload_too_large"),
                // channel names
                Bad.post("channel name with a space", "/v1/channels/has%20space/messages", "text/plain", "x", 400,
                        "invalid_channel"),
                Bad.post("channel name with a bang", "/v1/channels/bad!name/messages", "text/plain", "x", 400,
                        "invalid_channel"),
                Bad.post("channel name with a comma", "/v1/channels/a,b/messages", "text/plain", "x", 400,
                        "invalid_channel"),
                Bad.post("channel name too long", "/v1/channels/" + tooLongName + "/messages", "text/plain", "x", 400,
                        "invalid_channel"),
                Bad.get("history of a bad channel", "/v1/channels/caf%C3%A9/messages", 400, "invalid_channel"),
                Bad.get("SSE on a bad channel", "/v1/sse?channel=a%2Fb", 400, "invalid_channel"),
                Bad.get("SSE on an empty channel name", "/v1/sse?channel=", 400, "invalid_channel"),
                Bad.get("poll on a bad channel", "/v1/poll?channel=" + tooLongName, 400, "invalid_channel"),
                Bad.get("SSE without a channel", "/v1/sse", 400, "missing_channel"),
                Bad.get("poll without a channel", "/v1/poll?timeout=1", 400, "missing_channel"),
                Bad.get("SSE on too many channels", "/v1/sse?" + seventeen, 400, "too_many_channels"),
                Bad.get("poll on too many channels", "/v1/poll?" + seventeen, 400, "too_many_channels"),
                // cursors
                Bad.get("SSE with a bad cursor", "/v1/sse?channel=news&lastEventId=nonsense", 400, "invalid_cursor"),
                Bad.get("poll with a bad cursor", "/v1/poll?channel=news&after=nonsense", 400, "invalid_cursor"),
                Bad.get("history with a bad cursor", PUBLISH + "?after=x-y", 400, "invalid_cursor"),
                // parameters
                Bad.get("negative poll timeout", "/v1/poll?channel=news&timeout=-1", 400, "invalid_parameter"),
                Bad.get("poll timeout above the cap", "/v1/poll?channel=news&timeout=121", 400, "invalid_parameter"),
                Bad.get("non-numeric poll timeout", "/v1/poll?channel=news&timeout=soon", 400, "invalid_parameter"),
                Bad.get("fractional poll timeout", "/v1/poll?channel=news&timeout=1.5", 400, "invalid_parameter"),
                Bad.get("poll limit zero", "/v1/poll?channel=news&limit=0", 400, "invalid_parameter"),
                Bad.get("poll limit above the cap", "/v1/poll?channel=news&limit=1001", 400, "invalid_parameter"),
                Bad.get("history limit not a number", PUBLISH + "?limit=lots", 400, "invalid_parameter"),
                Bad.get("history limit overflowing int", PUBLISH + "?limit=99999999999", 400, "invalid_parameter"),
                Bad.post("ephemeral neither true nor false", PUBLISH + "?ephemeral=maybe", "text/plain", "x", 400,
                        "invalid_parameter"),
                Bad.post("reserved event type", PUBLISH + "?event=reset", "text/plain", "x", 400, "invalid_event"),
                Bad.post("event type with a newline", PUBLISH + "?event=a%0Adata:%20forged", "text/plain", "x", 400,
                        "invalid_event"),
                Bad.post("event type too long", PUBLISH + "?event=" + "e".repeat(65), "text/plain", "x", 400,
                        "invalid_event"),
                // routing
                Bad.get("unknown path", "/v1/nope", 404, "not_found"),
                Bad.get("path below messages", PUBLISH + "/extra", 404, "not_found"),
                Bad.post("publish to an unknown path", "/v1/publish", "text/plain", "x", 404, "not_found"),
                Bad.get("path traversal", "/../../etc/passwd", 404, "not_found"),
                new Bad("DELETE on messages", "DELETE", PUBLISH, null, new byte[0], 405, "method_not_allowed"),
                new Bad("PUT on messages", "PUT", PUBLISH, "text/plain", new byte[] {'x'}, 405, "method_not_allowed"),
                Bad.post("POST to SSE", "/v1/sse?channel=news", "text/plain", "x", 405, "method_not_allowed"),
                Bad.post("POST to poll", "/v1/poll?channel=news", "text/plain", "x", 405, "method_not_allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void answersWithTheDocumentedStatusAndErrorCode(Bad bad) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(bad.target())).timeout(TestServer.TIMEOUT)
                .method(bad.method(), bad.body().length == 0 && bad.method().equals("GET")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bad.body()));
        if (bad.contentType() != null) {
            request.header("Content-Type", bad.contentType());
        }

        HttpResponse<String> response = server.send(request.build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(bad.status());
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(response.body());
        assertThat(body.get("error").asText()).isEqualTo(bad.error());
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    void methodNotAllowedNamesTheAllowedMethods() {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri(PUBLISH))
                .timeout(TestServer.TIMEOUT).DELETE().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, POST");
    }

    @Test
    void answersAnInvalidPercentEncodingWithMalformedRequest() {
        try (SseConnection raw = rawRequest("GET /v1/sse?channel=%zz HTTP/1.1\r\nHost: x\r\n\r\n")) {
            assertThat(raw.status()).isEqualTo(400);
            assertThat(json(raw.completeBody()).get("error").asText()).isEqualTo("malformed_request");
        }
    }

    @Test
    void answersARequestThatIsNotHttpWithMalformedRequestAndCloses() {
        try (SseConnection raw = rawRequest("HELLO THERE\r\n\r\n")) {
            assertThat(raw.status()).isEqualTo(400);
            assertThat(json(raw.completeBody()).get("error").asText()).isEqualTo("malformed_request");
            raw.awaitClosedByServer(TestServer.TIMEOUT);
        }
    }

    @Test
    void answersAnOverlongRequestLineWith414() {
        String longLine = "GET /v1/sse?channel=" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        try (SseConnection raw = rawRequest(longLine)) {
            assertThat(raw.status()).isEqualTo(414);
            assertThat(json(raw.completeBody()).get("error").asText()).isEqualTo("uri_too_long");
        }
    }

    @Test
    void answersAnOversizedHeaderBlockWith431() {
        try (SseConnection raw = rawRequest("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(17000)
                + "\r\n\r\n")) {
            assertThat(raw.status()).isEqualTo(431);
            assertThat(json(raw.completeBody()).get("error").asText()).isEqualTo("headers_too_large");
        }
    }

    @Test
    void answersAnOversizedChunkedBodyWith413AndClosesTheConnection() {
        String chunk = "x".repeat(600);
        String request = "POST " + PUBLISH + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
        try (SseConnection raw = rawRequest(request)) {
            assertThat(raw.status()).isEqualTo(413);
            assertThat(raw.headers()).containsEntry("connection", "close");
            assertThat(json(raw.completeBody()).get("error").asText()).isEqualTo("payload_too_large");
        }
    }

    @Test
    void answersAnOversizedBodyAnnouncedWithExpectContinueWithTheDocumentedError() {
        String request = "POST " + PUBLISH + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + (MAX_MESSAGE_BYTES + 1) + "\r\nExpect: 100-continue\r\n\r\n";
        try (SseConnection raw = rawRequest(request)) {
            assertThat(raw.status()).isEqualTo(413);
            assertThat(raw.headers()).containsEntry("connection", "close");
            assertThat(json(raw.completeBody()).get("error").asText()).isEqualTo("payload_too_large");
            raw.awaitClosedByServer(TestServer.TIMEOUT);
        }
    }

    @Test
    void publishingRightAtTheSizeLimitIsAccepted() {
        byte[] body = new byte[MAX_MESSAGE_BYTES];
        Arrays.fill(body, (byte) 'y');

        HttpResponse<String> response = server.post(PUBLISH, "text/plain", body);

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void aSecondRequestOnAStreamingConnectionClosesItWithoutHarmingOthers() {
        String stream = "GET /v1/sse?channel=pipelined HTTP/1.1\r\nHost: x\r\n\r\n";
        try (SseConnection raw = rawRequest(stream + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) {
            // HTTP/1.1 cannot answer the second request before the endless first one: the server hangs up.
            assertThat(raw.awaitEnd(TestServer.TIMEOUT)).isIn(SseConnection.Ending.EOF_WITHOUT_TERMINATING_CHUNK,
                    SseConnection.Ending.RESET);
        }
    }

    private static SseConnection rawRequest(String request) {
        return SseConnection.raw(server.address(), request.getBytes(StandardCharsets.UTF_8), 0);
    }
}
