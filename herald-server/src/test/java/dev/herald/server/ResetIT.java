package dev.herald.server;

import static dev.herald.server.testing.TestServer.encode;
import static dev.herald.server.testing.TestServer.epoch;
import static dev.herald.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cursor the server cannot serve in full gets an explicit reset on every transport, followed by what history
 * still holds; a malformed cursor is refused.
 */
class ResetIT {

    private static final int HISTORY = 10;
    private static final int PUBLISHED = 30;

    private static TestServer server;
    private static int channels;
    private String channel;
    private List<String> ids;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(config -> config.historySize(HISTORY));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** A channel whose history holds only its last {@value #HISTORY} of {@value #PUBLISHED} messages. */
    @BeforeEach
    void trimmedChannel() {
        channel = "reset-" + ++channels;
        ids = IntStream.range(0, PUBLISHED).mapToObj(i -> server.publish(channel, "m" + i)).toList();
    }

    private String position(long offset) {
        return epoch(ids.getFirst()) + "-" + offset;
    }

    private List<String> retained() {
        return ids.subList(PUBLISHED - HISTORY, PUBLISHED);
    }

    private static List<String> ids(JsonNode answer) {
        return StreamSupport.stream(answer.get("messages").spliterator(), false)
                .map(message -> message.get("id").asText()).toList();
    }

    private void assertSseReset(String cursor, String reason, long resetOffset) {
        try (SseConnection sse = server.sse("/v1/sse?channel=" + channel, "Last-Event-ID", cursor)) {
            assertThat(sse.awaitPreamble()).isEqualTo(cursor);

            SseEvent reset = sse.nextEvent();
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.lastEventId()).isEqualTo(position(resetOffset));
            JsonNode signal = json(reset.data());
            assertThat(signal.get("channel").asText()).isEqualTo(channel);
            assertThat(signal.get("reason").asText()).isEqualTo(reason);
            assertThat(signal.get("position").asText()).isEqualTo(position(resetOffset));
            assertThat(signal.size()).isEqualTo(3);

            List<SseEvent> replayed = sse.nextEvents(HISTORY, TestServer.TIMEOUT);
            assertThat(replayed).extracting(SseEvent::type).containsOnly("message");
            assertThat(replayed).extracting(SseEvent::lastEventId).containsExactlyElementsOf(retained());
            assertThat(replayed).extracting(SseEvent::data).containsExactlyElementsOf(
                    IntStream.range(PUBLISHED - HISTORY, PUBLISHED).mapToObj(i -> "m" + i).toList());

            String live = server.publish(channel, "live");
            assertThat(sse.nextEvent()).isEqualTo(new SseEvent("message", "live", live));
            sse.assertExhausted();
        }
    }

    private void assertJsonReset(JsonNode answer, String reason, long resetOffset) {
        assertThat(answer.get("resets")).hasSize(1);
        JsonNode reset = answer.get("resets").get(0);
        assertThat(reset.get("channel").asText()).isEqualTo(channel);
        assertThat(reset.get("reason").asText()).isEqualTo(reason);
        assertThat(reset.get("position").asText()).isEqualTo(position(resetOffset));
        assertThat(ids(answer)).containsExactlyElementsOf(retained());
        assertThat(answer.get("cursor").asText()).isEqualTo(retained().getLast());
    }

    @Test
    void trimmedHistoryGivesAnSseResetThenTheRetainedMessages() {
        assertSseReset(ids.get(4), "history_trimmed", PUBLISHED - HISTORY);
    }

    @Test
    void trimmedHistoryGivesAResetInLongPollAndHistoryAnswers() {
        String cursor = ids.get(4);

        assertJsonReset(server.poll("channel=" + channel + "&after=" + cursor + "&timeout=5"),
                "history_trimmed", PUBLISHED - HISTORY);
        JsonNode history = server.history(channel, "after=" + cursor);
        assertJsonReset(history, "history_trimmed", PUBLISHED - HISTORY);
        assertThat(history.get("more").asBoolean()).isFalse();
    }

    @Test
    void aResetPageCutShortByLimitContinuesFromItsCursor() {
        JsonNode first = server.history(channel, "after=" + ids.get(4) + "&limit=3");

        assertThat(first.get("resets").get(0).get("reason").asText()).isEqualTo("history_trimmed");
        assertThat(ids(first)).containsExactlyElementsOf(retained().subList(0, 3));
        assertThat(first.get("more").asBoolean()).isTrue();

        JsonNode rest = server.history(channel, "after=" + first.get("cursor").asText() + "&limit=100");
        assertThat(rest.get("resets")).isEmpty();
        assertThat(ids(rest)).containsExactlyElementsOf(retained().subList(3, HISTORY));
        assertThat(rest.get("more").asBoolean()).isFalse();
    }

    @Test
    void aCursorFromAnUnknownEpochGivesAStreamRestartedResetOnEveryTransport() {
        String garbage = "zzzzzzzzzz-17";

        assertSseReset(garbage, "stream_restarted", PUBLISHED - HISTORY);
        trimmedChannel();
        assertJsonReset(server.poll("channel=" + channel + "&after=" + garbage + "&timeout=5"),
                "stream_restarted", PUBLISHED - HISTORY);
        assertJsonReset(server.history(channel, "after=" + garbage), "stream_restarted", PUBLISHED - HISTORY);
    }

    @Test
    void aCursorBeyondTheLastMessageGivesACursorAheadResetOnEveryTransport() {
        String ahead = position(PUBLISHED + 5);

        assertSseReset(ahead, "cursor_ahead", PUBLISHED - HISTORY);
        trimmedChannel();
        assertJsonReset(server.poll("channel=" + channel + "&after=" + position(PUBLISHED + 5) + "&timeout=5"),
                "cursor_ahead", PUBLISHED - HISTORY);
        assertJsonReset(server.history(channel, "after=" + position(PUBLISHED + 5)), "cursor_ahead",
                PUBLISHED - HISTORY);
    }

    @Test
    void aCursorWithinHistoryGivesNoReset() {
        String cursor = retained().getFirst();

        JsonNode answer = server.history(channel, "after=" + cursor);
        assertThat(answer.get("resets")).isEmpty();
        assertThat(ids(answer)).containsExactlyElementsOf(retained().subList(1, HISTORY));
        // The oldest retained message's predecessor is still a servable cursor: nothing after it was dropped.
        String justBefore = position(PUBLISHED - HISTORY);
        assertThat(server.history(channel, "after=" + justBefore).get("resets")).isEmpty();
    }

    @Test
    void onAMultiChannelStreamOnlyTheUnservableChannelIsReset() {
        String other = channel + "-fresh";
        String otherId = server.publish(other, "fresh 0");
        String otherNext = server.publish(other, "fresh 1");

        try (SseConnection sse = server.sse("/v1/sse?channel=" + channel + "&channel=" + other,
                "Last-Event-ID", ids.get(4) + "," + otherId)) {
            sse.awaitPreamble();
            List<SseEvent> events = sse.nextEvents(1 + HISTORY + 1, TestServer.TIMEOUT);

            List<SseEvent> resets = events.stream().filter(e -> e.type().equals("reset")).toList();
            assertThat(resets).hasSize(1);
            assertThat(json(resets.getFirst().data()).get("channel").asText()).isEqualTo(channel);
            assertThat(events).extracting(SseEvent::data).contains("fresh 1").doesNotContain("fresh 0");
            assertThat(events.getLast().lastEventId()).isEqualTo(retained().getLast() + "," + otherNext);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "abc-", "-5", "ABC-1", "abc-1x", "abc--1", "abc-+1", "a b-1", "abc-1,abc-2",
            "abc-1,", "abc-1234567890123456789", "abcdefghijklmnopqrstuvwxyz0123456-1", "abc-1.5", "é-1"})
    void aMalformedCursorIsRefusedWithInvalidCursorOnEveryEndpoint(String cursor) {
        String query = "channel=" + channel;
        assertInvalidCursor(server.get("/v1/sse?" + query + "&lastEventId=" + encode(cursor)), "SSE parameter");
        assertInvalidCursor(server.get("/v1/poll?" + query + "&after=" + encode(cursor) + "&timeout=5"), "poll");
        assertInvalidCursor(server.get("/v1/channels/" + channel + "/messages?after=" + encode(cursor)), "history");
        if (cursor.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            try (SseConnection sse = server.sse("/v1/sse?" + query, "Last-Event-ID", cursor)) {
                assertThat(sse.status()).as("SSE header").isEqualTo(400);
                assertThat(json(sse.completeBody()).get("error").asText()).isEqualTo("invalid_cursor");
            }
        }
    }

    @Test
    void aCursorWithTheWrongNumberOfPositionsIsMalformed() {
        String two = ids.get(0) + "," + ids.get(1);

        assertInvalidCursor(server.get("/v1/poll?channel=" + channel + "&after=" + encode(two)), "poll");
        assertInvalidCursor(server.get("/v1/sse?channel=" + channel + "&channel=x&lastEventId=" + ids.get(0)), "sse");
    }

    private static void assertInvalidCursor(HttpResponse<String> response, String where) {
        assertThat(response.statusCode()).as(where + ": " + response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(response.body());
        assertThat(body.get("error").asText()).as(where).isEqualTo("invalid_cursor");
        assertThat(body.get("message").asText()).isNotBlank();
    }
}
