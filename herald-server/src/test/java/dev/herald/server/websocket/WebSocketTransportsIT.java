package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.herald.server.websocket.WsClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One channel model across transports: a WebSocket publish reaches SSE and long-poll subscribers, an HTTP publish
 * reaches WebSocket subscribers, and binary payloads arrive byte for byte everywhere (raw over WebSocket, base64
 * where the wire is text). Ephemeral messages are delivered live and never stored.
 */
class WebSocketTransportsIT {

    private final WsHarness herald = WsHarness.start();

    @AfterEach
    void close() {
        herald.close();
    }

    @Test
    void aWebSocketPublishReachesSseAndLongPollSubscribers() {
        try (SseReader sse = new SseReader(herald.http(), herald.uri("/v1/sse?channel=mixed")).awaitOpen()) {
            CompletableFuture<HttpResponse<String>> poll = herald.http().sendAsync(
                    java.net.http.HttpRequest.newBuilder(herald.uri("/v1/poll?channel=mixed&timeout=20")).build(),
                    HttpResponse.BodyHandlers.ofString());
            WsHarness.await("the long poll to be held", () -> herald.server().node().subscriptionCount() == 2);

            WsClient publisher = herald.connected("");
            publisher.send(frame("type", "publish", "channel", "mixed", "data", "from ws", "event", "note",
                    "ref", "p1"));
            JsonNode ack = publisher.nextOfType("ack");
            assertThat(ack.get("ref").asText()).isEqualTo("p1");
            String id = ack.get("id").asText();

            SseReader.Event event = sse.await(1).get(0);
            assertThat(event.data()).isEqualTo("from ws");
            assertThat(event.event()).isEqualTo("note");
            assertThat(event.id()).isEqualTo(id);

            JsonNode answer = WsClient.parse(poll.orTimeout(20, TimeUnit.SECONDS).join().body());
            assertThat(answer.get("messages").get(0).get("data").asText()).isEqualTo("from ws");
            assertThat(answer.get("messages").get(0).get("id").asText()).isEqualTo(id);
            assertThat(answer.get("cursor").asText()).isEqualTo(id);
        }
    }

    @Test
    void anHttpPublishReachesAWebSocketSubscriber() {
        WsClient subscriber = herald.connected("");
        subscriber.subscribeAndWait("mixed", null, false);
        String id = herald.publish("mixed", "from http");
        JsonNode message = subscriber.nextOfType("message");
        assertThat(message.get("data").asText()).isEqualTo("from http");
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("time").asLong()).isPositive();
    }

    @Test
    void jsonDataTravelsAsJsonAndTextAsAString() {
        WsClient subscriber = herald.connected("");
        subscriber.subscribeAndWait("j", null, false);
        WsClient publisher = herald.connected("");
        publisher.send("{\"type\":\"publish\",\"channel\":\"j\",\"data\":{\"x\": [1, 2.50]}}");
        publisher.send(frame("type", "publish", "channel", "j", "data", "{\"not\":\"json\"}"));
        JsonNode json = subscriber.nextOfType("message");
        assertThat(json.get("data").isObject()).isTrue();
        assertThat(json.get("data").get("x").get(1).decimalValue()).isEqualByComparingTo("2.50");
        JsonNode text = subscriber.nextOfType("message");
        assertThat(text.get("data").isTextual()).isTrue();
        assertThat(text.get("data").asText()).isEqualTo("{\"not\":\"json\"}");
        // History keeps the JSON payload byte for byte as the WebSocket client wrote it.
        JsonNode history = WsHarness.ok(herald.get("/v1/channels/j/messages"));
        assertThat(history.get("messages").get(0).get("data").asText()).isEqualTo("{\"x\": [1, 2.50]}");
    }

    @Test
    void binaryRoundTripsByteExactWebSocketToWebSocket() {
        byte[] payload = randomBytes(10_000);
        WsClient subscriber = herald.connected("");
        subscriber.subscribeAndWait("bin", null, false);
        WsClient publisher = herald.connected("");
        publisher.sendBinary(WsClient.binaryFrame(frame("type", "publish", "channel", "bin", "event", "audio",
                "ref", 9), payload));
        JsonNode ack = publisher.nextOfType("ack");
        assertThat(ack.get("ref").asInt()).isEqualTo(9);

        WsClient.Binary frame = subscriber.nextBinary();
        assertThat(frame.payload()).isEqualTo(payload);
        assertThat(frame.header().get("type").asText()).isEqualTo("message");
        assertThat(frame.header().get("channel").asText()).isEqualTo("bin");
        assertThat(frame.header().get("event").asText()).isEqualTo("audio");
        assertThat(frame.header().get("id").asText()).isEqualTo(ack.get("id").asText());
        assertThat(frame.header().has("data")).isFalse();
    }

    @Test
    void binaryRoundTripsByteExactHttpToWebSocket() {
        byte[] payload = randomBytes(4096);
        WsClient subscriber = herald.connected("");
        subscriber.subscribeAndWait("bin", null, false);
        WsHarness.ok(herald.post("/v1/channels/bin/messages", "application/octet-stream", payload));
        assertThat(subscriber.nextBinary().payload()).isEqualTo(payload);
    }

    @Test
    void binaryRoundTripsByteExactWebSocketToSseAsBase64() {
        byte[] payload = randomBytes(3000);
        try (SseReader sse = new SseReader(herald.http(), herald.uri("/v1/sse?channel=bin")).awaitOpen()) {
            WsClient publisher = herald.connected("");
            publisher.sendBinary(WsClient.binaryFrame(frame("type", "publish", "channel", "bin"), payload));
            SseReader.Event event = sse.await(1).get(0);
            assertThat(Base64.getDecoder().decode(event.data())).isEqualTo(payload);
        }
        JsonNode history = WsHarness.ok(herald.get("/v1/channels/bin/messages"));
        JsonNode stored = history.get("messages").get(0);
        assertThat(stored.get("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(stored.get("data").asText())).isEqualTo(payload);
    }

    @Test
    void anEphemeralPublishIsDeliveredLiveAndNeverStored() {
        WsClient subscriber = herald.connected("");
        subscriber.subscribeAndWait("typing", null, false);
        WsClient publisher = herald.connected("");
        publisher.send(frame("type", "publish", "channel", "typing", "data", "alice is typing", "ephemeral", true,
                "ref", "e"));
        JsonNode ack = publisher.nextOfType("ack");
        assertThat(ack.get("ephemeral").asBoolean()).isTrue();
        assertThat(ack.has("id")).isFalse();
        publisher.sendBinary(WsClient.binaryFrame(frame("type", "publish", "channel", "typing", "ephemeral", true),
                "cursor 10,20".getBytes(StandardCharsets.UTF_8)));

        JsonNode live = subscriber.nextOfType("message");
        assertThat(live.get("data").asText()).isEqualTo("alice is typing");
        assertThat(live.get("ephemeral").asBoolean()).isTrue();
        assertThat(live.has("id")).isFalse();
        WsClient.Binary binary = subscriber.nextBinary();
        assertThat(binary.header().get("ephemeral").asBoolean()).isTrue();
        assertThat(new String(binary.payload(), StandardCharsets.UTF_8)).isEqualTo("cursor 10,20");

        JsonNode history = WsHarness.ok(herald.get("/v1/channels/typing/messages"));
        assertThat(history.get("messages")).isEmpty();
        WsClient late = herald.connected("");
        late.subscribe("typing", history.get("cursor").asText(), false, "late");
        late.nextOfType("ack");
        herald.publish("typing", "stored");
        assertThat(late.nextOfType("message").get("data").asText()).isEqualTo("stored");   // nothing replayed
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        for (int i = 0; i < 256 && i < n; i++) {
            bytes[i] = (byte) i;   // every byte value, including 0x00 and invalid UTF-8
        }
        return bytes;
    }
}
