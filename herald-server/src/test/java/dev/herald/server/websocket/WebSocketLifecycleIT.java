package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Origin checks before the upgrade, heartbeats, and the close on shutdown. */
class WebSocketLifecycleIT {

    @Test
    void aForeignOriginIsRefusedWith403BeforeTheUpgrade() throws Exception {
        try (WsHarness herald = WsHarness.start()) {
            assertThatThrownBy(() -> herald.client("", "Origin", "https://evil.example"))
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                            .isEqualTo(403));
            try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws", "Origin: https://evil.example")) {
                assertThat(raw.status()).isEqualTo(403);
                JsonNode body = WsClient.parse(raw.readBody());
                assertThat(body.get("error").asText()).isEqualTo("forbidden_origin");
                assertThat(body.get("message").asText()).contains("https://evil.example");
            }
            // The page's own origin (same host and port as Host) and clients that send no Origin are welcome.
            assertThat(herald.client("", "Origin", "http://127.0.0.1:" + herald.port()).next().get("type").asText())
                    .isEqualTo("connected");
            assertThat(herald.client("").next().get("type").asText()).isEqualTo("connected");
            assertThat(herald.server().node().subscriptionCount()).isZero();
        }
    }

    @Test
    void configuredOriginsAreAllowed() {
        try (WsHarness herald = WsHarness.start(config -> config.allowedOrigins(
                java.util.List.of("https://app.example.com", "https://*.example.org")))) {
            assertThat(herald.client("", "Origin", "https://app.example.com").next().get("type").asText())
                    .isEqualTo("connected");
            assertThat(herald.client("", "Origin", "https://eu.example.org").next().get("type").asText())
                    .isEqualTo("connected");
            assertThatThrownBy(() -> herald.client("", "Origin", "https://example.org"))
                    .hasCauseInstanceOf(WebSocketHandshakeException.class);
            assertThatThrownBy(() -> herald.client("", "Origin", "http://app.example.com"))
                    .hasCauseInstanceOf(WebSocketHandshakeException.class);
        }
    }

    @Test
    void theServerPingsAndAClientThatAnswersStaysConnected() {
        try (WsHarness herald = WsHarness.start(config -> config
                .wsPingInterval(Duration.ofMillis(100)).wsPingTimeout(Duration.ofMillis(300)))) {
            WsClient client = herald.connected("");
            client.awaitPings(5);   // the JDK client answers each ping with a pong by itself
            assertThat(client.isClosed()).isFalse();
            client.send("{\"type\":\"ping\",\"ref\":1}");
            assertThat(client.nextOfType("pong").get("ref").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aPeerThatStopsAnsweringPingsIsClosedWith4009AndLeavesPresence() throws Exception {
        try (WsHarness herald = WsHarness.start(config -> config
                .wsPingInterval(Duration.ofMillis(100)).wsPingTimeout(Duration.ofMillis(300)))) {
            WsClient watcher = herald.connected("client=watcher");
            watcher.subscribeAndWait("room", null, true);
            watcher.nextOfType("presence");
            try (RawWebSocket silent = RawWebSocket.open(herald.port(), "/v1/ws?client=silent")) {
                assertThat(silent.status()).isEqualTo(101);
                silent.sendText("{\"type\":\"subscribe\",\"channel\":\"room\",\"presence\":true}");
                JsonNode join = watcher.nextOfType("presence");
                assertThat(join.get("action").asText()).isEqualTo("join");
                // From here on the raw client reads but never answers a ping: a stuck or half-dead peer.
                RawWebSocket.Frame close = silent.readUntilClose();
                assertThat(close).isNotNull();
                assertThat(close.closeCode()).isEqualTo(4009);
                assertThat(silent.awaitEnd()).isTrue();
            }
            JsonNode leave = watcher.nextOfType("presence");
            assertThat(leave.get("action").asText()).isEqualTo("leave");
            assertThat(leave.get("member").get("client").asText()).isEqualTo("silent");
            assertThat(watcher.isClosed()).isFalse();
        }
    }

    @Test
    void shutdownClosesEveryWebSocketWith1012() {
        WsHarness herald = WsHarness.start(config -> config.shutdownGrace(Duration.ofSeconds(10)));
        try {
            WsClient a = herald.connected("");
            a.subscribeAndWait("news", null, false);
            WsClient b = herald.connected("");
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> herald.server().close());
            WsClient.Closed closedA = a.awaitClose();
            WsClient.Closed closedB = b.awaitClose();
            assertThat(closedA.code()).isEqualTo(1012);
            assertThat(closedB.code()).isEqualTo(1012);
            stopping.join();
        } finally {
            herald.close();
        }
    }
}
