package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.herald.server.websocket.WsClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

/** Resuming a subscription with {@code after}: exactly once, in order, or an explicit reset. */
class WebSocketResumeIT {

    private static final int COUNT = 1500;

    private final WsHarness herald = WsHarness.start(config -> config.historySize(2 * COUNT));

    @AfterEach
    void close() {
        herald.close();
    }

    @Test
    void resumingAfterADroppedConnectionLosesNothingAndDuplicatesNothing() {
        WsClient reader = herald.connected("");
        reader.subscribeAndWait("feed", null, false);

        // A second client publishes 1..COUNT over its WebSocket while the reader is dropped and comes back.
        WsClient publisher = herald.connected("");
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= COUNT; i++) {
                publisher.send(frame("type", "publish", "channel", "feed", "data", Integer.toString(i)));
            }
        });

        List<String> received = new ArrayList<>();
        String lastId = null;
        while (received.size() < 400) {
            JsonNode message = reader.nextOfType("message");
            received.add(message.get("data").asText());
            lastId = message.get("id").asText();
        }
        reader.abort();   // the network goes away mid-stream; whatever was in flight is lost with it

        WsClient resumed = herald.connected("");
        String position = resumed.subscribeAndWait("feed", lastId, false);
        assertThat(position).isEqualTo(lastId);
        while (received.size() < COUNT) {
            JsonNode frame = resumed.nextFrameMatching(f -> f instanceof JsonNode n
                    && (n.path("type").asText().equals("message") || n.path("type").asText().equals("reset")))
                    instanceof JsonNode n ? n : null;
            assertThat(frame.get("type").asText()).as("no reset: history holds everything").isEqualTo("message");
            received.add(frame.get("data").asText());
        }
        publishing.orTimeout(20, TimeUnit.SECONDS).join();

        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= COUNT; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(received).isEqualTo(expected);
        // Nothing after the last one either: a sentinel is the very next message.
        herald.publish("feed", "sentinel");
        assertThat(resumed.nextOfType("message").get("data").asText()).isEqualTo("sentinel");
    }

    @Test
    void aCursorFromAnotherLifeOfTheChannelGetsAResetThenEverythingHeld() {
        String first = herald.publish("news", "a");
        herald.publish("news", "b");
        String unknownEpoch = "zzzzzzzz-1";
        WsClient client = herald.connected("");
        client.subscribe("news", unknownEpoch, false, "s");
        JsonNode ack = client.nextOfType("ack");
        JsonNode reset = client.next();
        assertThat(reset.get("type").asText()).isEqualTo("reset");
        assertThat(reset.get("channel").asText()).isEqualTo("news");
        assertThat(reset.get("reason").asText()).isEqualTo("stream_restarted");
        assertThat(reset.get("position").asText()).isEqualTo(ack.get("position").asText());
        assertThat(client.next().get("id").asText()).isEqualTo(first);
        assertThat(client.next().get("data").asText()).isEqualTo("b");
    }

    @Test
    void aCursorAheadOfTheChannelGetsAReset() {
        String id = herald.publish("news", "a");
        String ahead = id.substring(0, id.lastIndexOf('-') + 1) + "99";
        WsClient client = herald.connected("");
        client.subscribe("news", ahead, false, "s");
        client.nextOfType("ack");
        assertThat(client.next().get("reason").asText()).isEqualTo("cursor_ahead");
        assertThat(client.next().get("id").asText()).isEqualTo(id);
    }
}
