package dev.herald.server.sse;

import static dev.herald.server.testing.TestServer.encode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bytes of an SSE stream, read from a raw socket and interpreted by the browser's rules. */
class SseWireIT {

    private static TestServer server;
    private static int streams;
    private String channel;
    private SseConnection sse;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(config -> config.sseRetry(Duration.ofMillis(1500)));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void openStream() {
        channel = "wire-" + ++streams;
        sse = server.sse("/v1/sse?channel=" + channel);
    }

    @AfterEach
    void closeStream() {
        sse.assertExhausted();
        sse.close();
    }

    @Test
    void answersWithEventStreamHeadersThatProxiesDoNotBufferOrCache() {
        assertThat(sse.status()).isEqualTo(200);
        assertThat(sse.rawHead()).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(sse.headers())
                .containsEntry("content-type", "text/event-stream")
                .containsEntry("cache-control", "no-cache")
                .containsEntry("x-accel-buffering", "no")
                .containsEntry("transfer-encoding", "chunked")
                .doesNotContainKey("content-length")
                .doesNotContainKey("connection");
    }

    @Test
    void startsWithRetryHintAndTheStartingCursorAndDispatchesNothing() {
        String cursor = sse.awaitPreamble();

        assertThat(cursor).matches("[0-9a-z]{1,32}-0");
        assertThat(sse.retry()).isEqualTo(1500);
        assertThat(new String(sse.body(), StandardCharsets.UTF_8)).isEqualTo("retry: 1500\nid: " + cursor + "\n\n");
    }

    @Test
    void sendsEachMessageAsExactlyOneEventWithIdEventAndData() {
        String cursor = sse.awaitPreamble();

        String id = server.publish(channel, "hello", "greet");
        SseEvent event = sse.nextEvent();

        assertThat(event).isEqualTo(new SseEvent("greet", "hello", id));
        assertThat(TestServer.epoch(id)).isEqualTo(TestServer.epoch(cursor));
        assertThat(new String(sse.body(), StandardCharsets.UTF_8)).isEqualTo("retry: 1500\nid: " + cursor + "\n\n"
                + "id: " + id + "\nevent: greet\ndata: hello\n\n");
    }

    @Test
    void sendsNoEventFieldWhenThePublisherGaveNoType() {
        sse.awaitPreamble();
        int preamble = sse.body().length;

        String id = server.publish(channel, "plain");

        assertThat(sse.nextEvent()).isEqualTo(new SseEvent("message", "plain", id));
        assertThat(new String(sse.body(), preamble, sse.body().length - preamble, StandardCharsets.UTF_8))
                .isEqualTo("id: " + id + "\ndata: plain\n\n");
    }

    @Test
    void splitsMultiLinePayloadsIntoDataLinesOnTheWire() {
        sse.awaitPreamble();
        int preamble = sse.body().length;

        String id = server.publish(channel, "first line\r\nsecond line\rthird line\n");

        assertThat(sse.nextEvent().data()).isEqualTo("first line\nsecond line\nthird line\n");
        assertThat(new String(sse.body(), preamble, sse.body().length - preamble, StandardCharsets.UTF_8))
                .isEqualTo("id: " + id + "\ndata: first line\ndata: second line\ndata: third line\ndata: \n\n");
    }

    static Stream<Arguments> payloads() {
        return Stream.of(
                Arguments.of("LF", "one\ntwo\nthree"),
                Arguments.of("CRLF", "one\r\ntwo\r\nthree"),
                Arguments.of("CR", "one\rtwo\rthree"),
                Arguments.of("trailing newline", "ends with a newline\n"),
                Arguments.of("only newlines", "\n\n\n"),
                Arguments.of("blank line inside", "paragraph one\n\nparagraph two"),
                Arguments.of("leading spaces", "  indented\n\tand tabbed"),
                Arguments.of("field look-alikes", "data: not a field\nid: 99\nevent: nope\n: not a comment"),
                Arguments.of("emoji", "😀🎉👩‍👩‍👧‍👦 🇯🇵"),
                Arguments.of("CJK", "漢字かなカナ한국어"),
                Arguments.of("combining marks", "e\u0301 a\u0308 n\u0303 \u0915\u094d\u0937"),
                Arguments.of("right to left", "שלום עולם مرحبا"),
                Arguments.of("unicode separators", "line\u2028separator\u2029paragraph\u0085next"),
                Arguments.of("byte order mark", "\uFEFFstarts with a BOM"),
                Arguments.of("pretty JSON", "{\n  \"a\": [1, 2],\n  \"b\": \"ü\"\n}\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void deliversTextAsPublishedWithLineBreaksAsEventSourceReportsThem(String name, String payload) {
        sse.awaitPreamble();

        String id = server.publish(channel, payload);

        String expected = payload.replace("\r\n", "\n").replace('\r', '\n');
        assertThat(sse.nextEvent()).isEqualTo(new SseEvent("message", expected, id));
        assertThat(server.history(channel, "").get("messages").get(0).get("data").asText()).isEqualTo(payload);
    }

    @Test
    void deliversJsonBodiesVerbatim() {
        sse.awaitPreamble();
        String json = "{\"text\":\"漢字 😀\",\"nested\":{\"list\":[1,2.5,null,true]}}";

        TestServer.ok(server.post("/v1/channels/" + channel + "/messages", "application/json",
                json.getBytes(StandardCharsets.UTF_8)));

        assertThat(sse.nextEvent().data()).isEqualTo(json);
    }

    @Test
    void resumeCursorFromTheHeaderWinsOverTheQueryParameter() {
        sse.awaitPreamble();
        String first = server.publish(channel, "one");
        server.publish(channel, "two");
        sse.nextEvents(2, TestServer.TIMEOUT);

        try (SseConnection resumed = server.sse("/v1/sse?channel=" + channel + "&lastEventId="
                + encode("zzzzzz-1"), "Last-Event-ID", first)) {
            assertThat(resumed.awaitPreamble()).isEqualTo(first);
            assertThat(resumed.nextEvent().data()).isEqualTo("two");
            resumed.assertExhausted();
        }
    }

    @Test
    void takesTheResumeCursorFromTheQueryParameterWithoutAHeader() {
        sse.awaitPreamble();
        String first = server.publish(channel, "one");
        server.publish(channel, "two");
        sse.nextEvents(2, TestServer.TIMEOUT);

        try (SseConnection resumed = server.sse("/v1/sse?channel=" + channel + "&lastEventId=" + encode(first))) {
            assertThat(resumed.awaitPreamble()).isEqualTo(first);
            assertThat(resumed.nextEvent().data()).isEqualTo("two");
        }
    }

    @Test
    void sendsKeepAliveCommentsOnAnIdleStream() {
        try (TestServer quick = TestServer.start(config -> config.sseKeepAlive(Duration.ofMillis(200)));
             SseConnection idle = quick.sse("/v1/sse?channel=idle")) {
            String cursor = idle.awaitPreamble();

            assertThat(idle.nextComment(TestServer.TIMEOUT)).isEqualTo(" keep-alive");
            assertThat(idle.nextComment(TestServer.TIMEOUT)).isEqualTo(" keep-alive");
            assertThat(new String(idle.body(), StandardCharsets.UTF_8))
                    .startsWith("retry: 2000\nid: " + cursor + "\n\n: keep-alive\n\n: keep-alive\n\n");
            assertThat(idle.lastEventId()).isEqualTo(cursor);

            String id = quick.publish("idle", "still here");
            assertThat(idle.nextEvent()).isEqualTo(new SseEvent("message", "still here", id));
            idle.assertExhausted();
        }
    }
}
