package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops reading is cut off with 4008 once its bounded outbound queue is full, while its neighbour on
 * the same server keeps receiving; reconnecting with its last id, it gets the rest from history.
 */
class WebSocketSlowConsumerIT {

    @Test
    void aClientThatStopsReadingIsClosedWith4008AndResumesFromHistory() throws Exception {
        try (WsHarness herald = WsHarness.start(config -> config
                .maxOutboundBytes(64 * 1024).maxMessageBytes(16 * 1024).historySize(5000).wsPingTimeout(Duration.ofSeconds(20)))) {
            WsClient healthy = herald.connected("");
            healthy.subscribeAndWait("calm", null, false);
            try (RawWebSocket slow = RawWebSocket.open(herald.port(), "/v1/ws")) {
                assertThat(slow.status()).isEqualTo(101);
                slow.sendText("{\"type\":\"subscribe\",\"channel\":\"flood\",\"ref\":1}");
                WsHarness.await("both subscriptions", () -> herald.server().node().subscriptionCount() == 2);

                // The slow client reads nothing from here on. Publish until the server gives up on it.
                String filler = "x".repeat(4000);
                int published = 0;
                while (herald.server().node().subscriptionCount() == 2) {
                    herald.publish("flood", ++published + ":" + filler);
                    if (published > 4000) {
                        throw new AssertionError("never closed as a slow consumer");
                    }
                }
                herald.publish("calm", "still here");
                assertThat(healthy.nextOfType("message").get("data").asText()).isEqualTo("still here");

                // Now it reads: what was already on its way, then the close frame saying why.
                List<String> got = new ArrayList<>();
                String lastId = null;
                RawWebSocket.Frame frame;
                while ((frame = slow.read()) != null && frame.opcode() != RawWebSocket.CLOSE) {
                    if (frame.opcode() == RawWebSocket.TEXT) {
                        JsonNode json = WsClient.parse(frame.text());
                        if (json.get("type").asText().equals("message")) {
                            got.add(json.get("data").asText());
                            lastId = json.get("id").asText();
                        }
                    }
                }
                assertThat(frame).as("a close frame before the end").isNotNull();
                assertThat(frame.closeCode()).isEqualTo(4008);
                assertThat(new String(frame.payload(), 2, frame.payload().length - 2, StandardCharsets.UTF_8))
                        .contains("slow consumer");
                assertThat(got.size()).isLessThan(published);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).startsWith((i + 1) + ":");
                }

                WsClient resumed = herald.connected("");
                resumed.subscribe("flood", lastId, false, "again");
                resumed.nextOfType("ack");
                for (int i = got.size() + 1; i <= published; i++) {
                    assertThat(resumed.nextOfType("message").get("data").asText()).startsWith(i + ":");
                }
            }
            assertThat(healthy.isClosed()).isFalse();
        }
    }
}
