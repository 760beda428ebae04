package dev.herald.server;

import static dev.herald.server.testing.TestServer.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Await;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Clients that go away leave nothing behind, and held requests are not mistaken for idle ones. */
class DisconnectIT {

    @Test
    void closingAnSseConnectionReleasesItsSubscriptions() {
        try (TestServer server = TestServer.start()) {
            SseConnection sse = server.sse("/v1/sse?channel=a&channel=b&channel=c");
            sse.awaitPreamble();
            assertThat(server.server().node().subscriptionCount()).isEqualTo(3);
            assertThat(stats(server).get("heldConnections").asInt()).isEqualTo(1);

            sse.close();

            Await.until("subscriptions released", () -> server.server().node().subscriptionCount() == 0,
                    TestServer.TIMEOUT);
            Await.until("connection forgotten", () -> stats(server).get("heldConnections").asInt() == 0,
                    TestServer.TIMEOUT);
            server.publish("a", "nobody listens");   // must not fail on the dead subscriber
        }
    }

    @Test
    void abandoningAHeldPollReleasesItsSubscription() throws IOException {
        try (TestServer server = TestServer.start()) {
            String cursor = server.publish("abandon", "old");
            try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET /v1/poll?channel=abandon&after=" + cursor + "&timeout=60 HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Await.until("poll held", () -> server.server().node().subscriptionCount() == 1, TestServer.TIMEOUT);
            }

            Await.until("subscription released", () -> server.server().node().subscriptionCount() == 0,
                    TestServer.TIMEOUT);
            Await.until("connection forgotten", () -> stats(server).get("heldConnections").asInt() == 0,
                    TestServer.TIMEOUT);
        }
    }

    @Test
    void heldRequestsOutliveTheRequestTimeout() {
        try (TestServer server = TestServer.start(config -> config.requestTimeout(Duration.ofMillis(300))
                .sseKeepAlive(Duration.ofSeconds(30)))) {
            String cursor = server.publish("patient", "old");
            try (SseConnection sse = server.sse("/v1/sse?channel=patient")) {
                sse.awaitPreamble();

                // The poll waits 2 s, several request timeouts, before it is answered; the stream meanwhile idles.
                JsonNode answer = server.poll("channel=patient&after=" + cursor + "&timeout=2");
                assertThat(answer.get("messages")).isEmpty();
                assertThat(answer.get("cursor").asText()).isEqualTo(cursor);

                String id = server.publish("patient", "still connected");
                assertThat(sse.nextEvent().lastEventId()).isEqualTo(id);
            }
        }
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAfterTheRequestTimeout() throws IOException {
        try (TestServer server = TestServer.start(config -> config.requestTimeout(Duration.ofMillis(300)));
             Socket idle = new Socket("127.0.0.1", server.server().port())) {
            idle.setSoTimeout((int) TestServer.TIMEOUT.toMillis());

            assertThat(idle.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static JsonNode stats(TestServer server) {
        return ok(server.get("/v1/stats"));
    }
}
