package dev.herald.server;

import static dev.herald.server.testing.TestServer.ok;
import static dev.herald.server.testing.TestServer.readResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Await;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
                assertThat(stats(server).get("heldConnections").asInt()).isEqualTo(1);
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

    /**
     * The request timeout of a keep-alive connection counts from its last answer, not from the request that was
     * held: otherwise the server drops the connection right after answering a long poll, racing the client's next
     * request on it.
     */
    @Test
    void theRequestTimeoutRestartsWhenAHeldPollIsAnswered() throws IOException {
        Duration requestTimeout = Duration.ofMillis(1500);
        try (TestServer server = TestServer.start(config -> config.requestTimeout(requestTimeout))) {
            String cursor = server.publish("keepalive", "old");
            String poll = "GET /v1/poll?channel=keepalive&after=" + cursor + "&timeout=2 HTTP/1.1\r\nHost: x\r\n\r\n";
            try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
                socket.getOutputStream().write(poll.getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                socket.setSoTimeout((int) TestServer.TIMEOUT.toMillis());
                assertThat(readResponse(in)).startsWith("HTTP/1.1 200 OK");

                // Most of a request timeout later the connection must still be open and serve a request.
                socket.setSoTimeout((int) requestTimeout.multipliedBy(4).dividedBy(5).toMillis());
                assertThatThrownBy(in::read).as("the server closed the connection after answering the poll")
                        .isInstanceOf(SocketTimeoutException.class);
                socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                socket.setSoTimeout((int) TestServer.TIMEOUT.toMillis());
                assertThat(readResponse(in)).startsWith("HTTP/1.1 200 OK").endsWith("{\"status\":\"ok\"}");
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

    /**
     * A slowloris client keeps a request unfinished by sending one byte at a time. The timeout counts from the
     * connection's opening, not from its last byte, so the drip does not keep it alive.
     */
    @Test
    void aRequestDrippedByteByByteIsCutOffAtTheRequestTimeout() throws Exception {
        Duration requestTimeout = Duration.ofMillis(400);
        try (TestServer server = TestServer.start(config -> config.requestTimeout(requestTimeout));
             Socket slow = new Socket("127.0.0.1", server.server().port())) {
            long opened = System.nanoTime();
            OutputStream out = slow.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.setSoTimeout(50);   // the pace of the drip: one header byte per 50 ms
            InputStream in = slow.getInputStream();
            int read = 0;
            long deadline = opened + TestServer.TIMEOUT.toNanos();
            while (read != -1 && System.nanoTime() < deadline) {
                try {
                    out.write('x');
                    out.flush();
                    read = in.read();
                } catch (SocketTimeoutException stillOpen) {
                    continue;
                } catch (IOException reset) {
                    read = -1;   // the server closed, and our next byte met the closed socket
                }
            }
            Duration lasted = Duration.ofNanos(System.nanoTime() - opened);
            assertThat(read).as("the server answered a request that never ended").isEqualTo(-1);
            assertThat(lasted).as("closed at the request timeout despite the drip")
                    .isGreaterThanOrEqualTo(requestTimeout).isLessThan(TestServer.TIMEOUT);
        }
    }

    private static JsonNode stats(TestServer server) {
        return ok(server.get("/v1/stats"));
    }
}
