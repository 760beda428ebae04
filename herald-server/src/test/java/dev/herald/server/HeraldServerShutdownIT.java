package dev.herald.server;

import static dev.herald.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Await;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link HeraldServer#close()} is the graceful shutdown that SIGTERM runs. */
class HeraldServerShutdownIT {

    private static final Duration GRACE = Duration.ofSeconds(5);

    @Test
    void endsStreamsWithTheTerminatingChunkAnswersHeldPollsAndReturnsWithinTheGracePeriod() throws IOException {
        try (TestServer server = TestServer.start(config -> config.shutdownGrace(GRACE));
             SseConnection single = server.sse("/v1/sse?channel=stop");
             SseConnection multi = server.sse("/v1/sse?channel=stop&channel=other");
             Socket idle = new Socket("127.0.0.1", server.server().port())) {
            single.awaitPreamble();
            multi.awaitPreamble();
            String id = server.publish("stop", "before shutdown");
            assertThat(single.nextEvent()).isEqualTo(new SseEvent("message", "before shutdown", id));
            assertThat(multi.nextEvent().data()).isEqualTo("before shutdown");
            int streams = server.server().node().subscriptionCount();
            List<CompletableFuture<HttpResponse<String>>> polls = IntStream.range(0, 3)
                    .mapToObj(i -> server.getAsync("/v1/poll?channel=stop&after=" + id + "&timeout=60")).toList();
            Await.until("polls held", () -> server.server().node().subscriptionCount() == streams + polls.size(),
                    TestServer.TIMEOUT);

            assertTimeoutPreemptively(GRACE.plusSeconds(3), () -> server.server().close());

            assertThat(single.awaitEnd(TestServer.TIMEOUT)).isEqualTo(SseConnection.Ending.TERMINATING_CHUNK);
            single.awaitClosedByServer(TestServer.TIMEOUT);
            single.assertExhausted();
            assertThat(multi.awaitEnd(TestServer.TIMEOUT)).isEqualTo(SseConnection.Ending.TERMINATING_CHUNK);
            multi.awaitClosedByServer(TestServer.TIMEOUT);
            for (CompletableFuture<HttpResponse<String>> poll : polls) {
                HttpResponse<String> response = poll.join();
                assertThat(response.statusCode()).isEqualTo(200);
                JsonNode answer = json(response.body());
                assertThat(answer.get("messages")).isEmpty();
                assertThat(answer.get("cursor").asText()).isEqualTo(id);
            }
            idle.setSoTimeout((int) TestServer.TIMEOUT.toMillis());
            try (InputStream in = idle.getInputStream()) {
                assertThat(in.read()).as("an idle connection is closed").isEqualTo(-1);
            }
            assertThat(server.server().node().subscriptionCount()).isZero();
            assertThatThrownBy(() -> new Socket("127.0.0.1", server.server().port()).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void closeIsIdempotent() {
        try (TestServer server = TestServer.start()) {
            server.server().close();
            server.server().close();
        }
    }

    /** An in-memory server forgets its history when it restarts; old cursors get an explicit reset, not silence. */
    @Test
    void clientsResumingOnARestartedServerGetAStreamRestartedReset() {
        String lastSeen;
        try (TestServer before = TestServer.start();
             SseConnection sse = before.sse("/v1/sse?channel=restart")) {
            sse.awaitPreamble();
            before.publish("restart", "one");
            before.publish("restart", "two");
            sse.nextEvents(2, TestServer.TIMEOUT);
            lastSeen = sse.lastEventId();
            before.server().close();
            assertThat(sse.awaitEnd(TestServer.TIMEOUT)).isEqualTo(SseConnection.Ending.TERMINATING_CHUNK);
        }

        try (TestServer after = TestServer.start();
             SseConnection resumed = after.sse("/v1/sse?channel=restart", "Last-Event-ID", lastSeen)) {
            SseEvent reset = resumed.nextEvent();
            assertThat(reset.type()).isEqualTo("reset");
            JsonNode signal = json(reset.data());
            assertThat(signal.get("reason").asText()).isEqualTo("stream_restarted");
            assertThat(signal.get("position").asText()).isEqualTo(reset.lastEventId()).endsWith("-0")
                    .isNotEqualTo(lastSeen);

            String id = after.publish("restart", "three");
            assertThat(resumed.nextEvent()).isEqualTo(new SseEvent("message", "three", id));

            JsonNode poll = after.poll("channel=restart&after=" + lastSeen + "&timeout=5");
            assertThat(poll.get("resets").get(0).get("reason").asText()).isEqualTo("stream_restarted");
            assertThat(poll.get("messages").get(0).get("data").asText()).isEqualTo("three");
        }
    }
}
