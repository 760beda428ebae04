package dev.herald.server.http;

import static dev.herald.server.testing.TestServer.json;
import static dev.herald.server.testing.TestServer.offset;
import static dev.herald.server.testing.TestServer.ok;
import static dev.herald.server.testing.TestServer.readResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Await;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Publishing and short polling: ids, payload kinds, event types, ephemeral messages. */
class PublishIT {

    private static TestServer server;
    private static int channels;
    private String channel;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void freshChannel() {
        channel = "publish-" + ++channels;
    }

    private String messages() {
        return "/v1/channels/" + channel + "/messages";
    }

    /**
     * Requests with and without a body, pipelined on one keep-alive connection, are each answered once and in
     * order: GETs skip the body aggregator, a Content-Length body, a chunked body and an {@code Expect} go through it.
     */
    @Test
    void pipelinedRequestsWithAndWithoutBodiesAreAnsweredInOrder() throws IOException {
        String head = "Host: x\r\nContent-Type: text/plain\r\n";
        String requests = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST " + messages() + " HTTP/1.1\r\n" + head + "Content-Length: 5\r\n\r\nfirst"
                + "GET " + messages() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                + "POST " + messages() + " HTTP/1.1\r\n" + head + "Transfer-Encoding: chunked\r\n\r\n"
                + "3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n"
                + "POST " + messages() + " HTTP/1.1\r\n" + head + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"
                + "third"
                + "GET " + messages() + " HTTP/1.1\r\nHost: x\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout((int) TestServer.TIMEOUT.toMillis());
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            assertThat(readResponse(in)).startsWith("HTTP/1.1 200 OK").endsWith("{\"status\":\"ok\"}");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200 OK").contains("\"id\"");
            assertThat(body(readResponse(in)).get("messages")).hasSize(1);
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200 OK").contains("\"id\"");
            String afterContinue = readResponse(in);
            if (afterContinue.startsWith("HTTP/1.1 100")) {
                afterContinue = readResponse(in);
            }
            assertThat(afterContinue).startsWith("HTTP/1.1 200 OK").contains("\"id\"");
            JsonNode history = body(readResponse(in));
            assertThat(history.get("messages")).extracting(m -> m.get("data").asText())
                    .containsExactly("first", "second", "third");
        }
    }

    private static JsonNode body(String response) {
        assertThat(response).startsWith("HTTP/1.1 200 OK");
        return json(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void answersWithTheChannelAndAnIdThatGrowsByOnePerMessage() {
        HttpResponse<String> response = server.post(messages(), "text/plain", "first".getBytes(StandardCharsets.UTF_8));

        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode answer = ok(response);
        assertThat(answer.get("channel").asText()).isEqualTo(channel);
        String first = answer.get("id").asText();
        assertThat(first).matches("[0-9a-z]{1,32}-1");
        assertThat(answer.size()).isEqualTo(2);

        List<String> later = IntStream.range(0, 5).mapToObj(i -> server.publish(channel, "m" + i)).toList();
        assertThat(later).extracting(TestServer::epoch).containsOnly(TestServer.epoch(first));
        assertThat(later).extracting(TestServer::offset).containsExactly(2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void historyListsMessagesOldestFirstWithTheirFields() {
        String plain = server.publish(channel, "plain");
        String typed = server.publish(channel, "typed", "greet");

        JsonNode history = server.history(channel, "");

        assertThat(history.get("messages")).hasSize(2);
        JsonNode first = history.get("messages").get(0);
        assertThat(fieldNames(first)).containsExactly("channel", "id", "data", "time");
        assertThat(first.get("channel").asText()).isEqualTo(channel);
        assertThat(first.get("id").asText()).isEqualTo(plain);
        assertThat(first.get("data").asText()).isEqualTo("plain");
        assertThat(first.get("time").asLong()).isPositive();
        JsonNode second = history.get("messages").get(1);
        assertThat(fieldNames(second)).containsExactly("channel", "id", "event", "data", "time");
        assertThat(second.get("event").asText()).isEqualTo("greet");
        assertThat(second.get("id").asText()).isEqualTo(typed);
        assertThat(history.get("cursor").asText()).isEqualTo(typed);
        assertThat(history.get("resets")).isEmpty();
        assertThat(history.get("more").asBoolean()).isFalse();
    }

    @Test
    void historyPagesWithLimitAndCursor() {
        List<String> ids = IntStream.range(0, 7).mapToObj(i -> server.publish(channel, "m" + i)).toList();

        JsonNode page = server.history(channel, "limit=3");
        assertThat(page.get("messages")).extracting(m -> m.get("id").asText())
                .containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(page.get("more").asBoolean()).isTrue();

        JsonNode next = server.history(channel, "limit=3&after=" + page.get("cursor").asText());
        assertThat(next.get("messages")).extracting(m -> m.get("id").asText())
                .containsExactlyElementsOf(ids.subList(3, 6));

        JsonNode last = server.history(channel, "limit=3&after=" + next.get("cursor").asText());
        assertThat(last.get("messages")).extracting(m -> m.get("id").asText()).containsExactly(ids.get(6));
        assertThat(last.get("more").asBoolean()).isFalse();

        JsonNode empty = server.history(channel, "after=" + last.get("cursor").asText());
        assertThat(empty.get("messages")).isEmpty();
        assertThat(empty.get("cursor").asText()).isEqualTo(ids.get(6));
    }

    @Test
    void jsonBodiesAreStoredAsTheirTextAndTextNeedsNoContentType() {
        TestServer.ok(server.post(messages(), "application/json", "{\"a\": [1, 2]}".getBytes(StandardCharsets.UTF_8)));
        TestServer.ok(server.post(messages(), null, "no type".getBytes(StandardCharsets.UTF_8)));

        JsonNode history = server.history(channel, "");
        assertThat(history.get("messages").get(0).get("data").asText()).isEqualTo("{\"a\": [1, 2]}");
        assertThat(history.get("messages").get(1).get("data").asText()).isEqualTo("no type");
        assertThat(history.get("messages").get(0).has("encoding")).isFalse();
    }

    @Test
    void binaryPayloadsArriveAsBase64MarkedWithTheirEncoding() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        String base64 = Base64.getEncoder().encodeToString(bytes);
        try (SseConnection sse = server.sse("/v1/sse?channel=" + channel)) {
            String start = sse.awaitPreamble();

            String id = ok(server.post(messages(), "application/octet-stream", bytes)).get("id").asText();

            assertThat(sse.nextEvent()).isEqualTo(new SseEvent("message", base64, id));
            JsonNode stored = server.history(channel, "").get("messages").get(0);
            assertThat(stored.get("data").asText()).isEqualTo(base64);
            assertThat(stored.get("encoding").asText()).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(stored.get("data").asText())).isEqualTo(bytes);
            JsonNode polled = server.poll("channel=" + channel + "&after=" + start + "&timeout=5")
                    .get("messages").get(0);
            assertThat(polled.get("encoding").asText()).isEqualTo("base64");
            assertThat(polled.get("data").asText()).isEqualTo(base64);
        }
    }

    @Test
    void ephemeralMessagesAreDeliveredLiveButNeverStoredAndUseNoOffset() {
        try (SseConnection sse = server.sse("/v1/sse?channel=" + channel)) {
            sse.awaitPreamble();
            String before = server.publish(channel, "kept");
            assertThat(sse.nextEvent().data()).isEqualTo("kept");
            int bodyBefore = sse.body().length;

            JsonNode answer = ok(server.post(messages() + "?ephemeral=true&event=typing", "text/plain",
                    "someone is typing".getBytes(StandardCharsets.UTF_8)));

            assertThat(answer.get("channel").asText()).isEqualTo(channel);
            assertThat(answer.get("ephemeral").asBoolean()).isTrue();
            assertThat(answer.has("id")).isFalse();
            SseEvent typing = sse.nextEvent();
            assertThat(typing).isEqualTo(new SseEvent("typing", "someone is typing", before));
            assertThat(new String(sse.body(), bodyBefore, sse.body().length - bodyBefore, StandardCharsets.UTF_8))
                    .isEqualTo("event: typing\ndata: someone is typing\n\n");

            String after = server.publish(channel, "kept too");
            assertThat(offset(after)).isEqualTo(offset(before) + 1);
            assertThat(sse.nextEvent()).isEqualTo(new SseEvent("message", "kept too", after));
            assertThat(server.history(channel, "").get("messages")).extracting(m -> m.get("data").asText())
                    .containsExactly("kept", "kept too");
            sse.assertExhausted();
        }
    }

    @Test
    void ephemeralMessagesAnswerHeldPollsWithoutMovingTheCursor() {
        String cursor = server.publish(channel, "kept");
        int subscribed = server.server().node().subscriptionCount();
        CompletableFuture<HttpResponse<String>> poll = server.getAsync("/v1/poll?channel=" + channel + "&after="
                + cursor + "&timeout=60");
        Await.until("poll held", () -> server.server().node().subscriptionCount() > subscribed, TestServer.TIMEOUT);

        ok(server.post(messages() + "?ephemeral", "text/plain", "blink".getBytes(StandardCharsets.UTF_8)));

        JsonNode answer = json(poll.join().body());
        JsonNode message = answer.get("messages").get(0);
        assertThat(message.get("ephemeral").asBoolean()).isTrue();
        assertThat(message.has("id")).isFalse();
        assertThat(message.get("data").asText()).isEqualTo("blink");
        assertThat(answer.get("cursor").asText()).isEqualTo(cursor);
    }

    @Test
    void acceptsEveryCharacterAllowedInChannelNames() {
        String name = "Az09_-.:@" + channel;
        try (SseConnection sse = server.sse("/v1/sse?channel=" + name)) {
            sse.awaitPreamble();
            String id = server.publish(name, "odd name");

            assertThat(sse.nextEvent()).isEqualTo(new SseEvent("message", "odd name", id));
            assertThat(server.history(name, "").get("messages").get(0).get("channel").asText()).isEqualTo(name);
        }
    }

    /** docs/protocol.md: a name may be percent-encoded in the path or the query, and is decoded exactly once. */
    @Test
    void decodesAPercentEncodedChannelNameOnceInPathAndQuery() {
        String escaped = channel.replace("-", "%2D");
        JsonNode published = ok(server.post("/v1/channels/" + escaped + "/messages", "text/plain",
                "escaped".getBytes(StandardCharsets.UTF_8)));

        assertThat(published.get("channel").asText()).isEqualTo(channel);
        String start = TestServer.epoch(published.get("id").asText()) + "-0";
        assertThat(server.poll("channel=" + escaped + "&after=" + start + "&timeout=0").get("messages").get(0)
                .get("data").asText()).isEqualTo("escaped");
        HttpResponse<String> twice = server.get("/v1/channels/" + channel.replace("-", "%252D") + "/messages");
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(json(twice.body()).get("error").asText()).isEqualTo("invalid_channel");
    }

    @Test
    void reportsHealthAndStats() {
        assertThat(ok(server.get("/healthz")).get("status").asText()).isEqualTo("ok");
        JsonNode stats = ok(server.get("/v1/stats"));
        assertThat(stats.has("subscriptions")).isTrue();
        assertThat(stats.has("heldConnections")).isTrue();
    }

    private static List<String> fieldNames(JsonNode node) {
        Iterator<String> names = node.fieldNames();
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
