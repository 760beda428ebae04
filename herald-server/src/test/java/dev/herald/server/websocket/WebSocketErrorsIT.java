package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.herald.server.websocket.WsClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every documented error and close code, each provoked by a real client, while a healthy client subscribed on the
 * same server keeps receiving every message in order.
 */
class WebSocketErrorsIT {

    private static final int MAX_MESSAGE = 1024;

    private final WsHarness herald = WsHarness.start(config -> config
            .maxMessageBytes(MAX_MESSAGE).wsMaxSubscriptions(3).presenceMaxMembers(1));
    private WsClient healthy;
    private final List<String> sent = new ArrayList<>();

    @BeforeEach
    void healthyClient() {
        healthy = herald.connected("client=healthy");
        healthy.subscribeAndWait("news", null, false);
    }

    /** Publishes over HTTP; the healthy client must get it, in order, after whatever just went wrong elsewhere. */
    private void healthyStillReceives() {
        String text = "n" + sent.size();
        sent.add(text);
        herald.publish("news", text);
        JsonNode message = healthy.nextOfType("message");
        assertThat(message.get("data").asText()).isEqualTo(text);
    }

    @AfterEach
    void close() {
        try {
            assertThat(healthy.isClosed()).as("the healthy client was never disconnected").isFalse();
            assertThat(healthy.unconsumed()).as("nothing unexpected reached the healthy client").isEmpty();
        } finally {
            herald.close();
        }
    }

    /** Sends {@code text} and returns the error frame it gets; the connection must stay usable (ping → pong). */
    private static JsonNode errorFor(WsClient client, String text) {
        client.send(text);
        JsonNode error = client.nextOfType("error");
        client.send("{\"type\":\"ping\",\"ref\":\"after-error\"}");
        assertThat(client.nextOfType("pong").get("ref").asText()).isEqualTo("after-error");
        return error;
    }

    @Test
    void malformedFramesGetAnErrorAndTheConnectionStaysOpen() {
        WsClient bad = herald.connected("");
        assertThat(errorFor(bad, "{not json").get("error").asText()).isEqualTo("invalid_json");
        healthyStillReceives();
        assertThat(errorFor(bad, "[1,2]").get("error").asText()).isEqualTo("invalid_json");
        assertThat(errorFor(bad, "{\"type\":\"ping\"} {}").get("error").asText()).isEqualTo("invalid_json");
        JsonNode missing = errorFor(bad, "{\"ref\":7}");
        assertThat(missing.get("error").asText()).isEqualTo("missing_field");
        assertThat(missing.get("ref").asInt()).isEqualTo(7);
        JsonNode unknown = errorFor(bad, "{\"type\":\"dance\",\"ref\":\"r1\"}");
        assertThat(unknown.get("error").asText()).isEqualTo("unknown_type");
        assertThat(unknown.get("ref").asText()).isEqualTo("r1");
        assertThat(unknown.get("message").asText()).contains("dance");
        assertThat(errorFor(bad, "{\"type\":\"ping\",\"ref\":{\"a\":1}}").get("error").asText())
                .isEqualTo("invalid_field");
        assertThat(errorFor(bad, "{\"type\":\"subscribe\",\"channel\":42}").get("error").asText())
                .isEqualTo("invalid_field");
        healthyStillReceives();
    }

    @Test
    void badSubscribesGetTheirOwnCodes() {
        WsClient bad = herald.connected("");
        assertThat(errorFor(bad, "{\"type\":\"subscribe\",\"ref\":1}").get("error").asText())
                .isEqualTo("missing_field");
        JsonNode invalid = errorFor(bad, "{\"type\":\"subscribe\",\"channel\":\"no spaces\",\"ref\":2}");
        assertThat(invalid.get("error").asText()).isEqualTo("invalid_channel");
        assertThat(invalid.get("ref").asInt()).isEqualTo(2);
        JsonNode cursor = errorFor(bad, "{\"type\":\"subscribe\",\"channel\":\"a\",\"after\":\"nope\",\"ref\":3}");
        assertThat(cursor.get("error").asText()).isEqualTo("invalid_cursor");
        assertThat(cursor.get("channel").asText()).isEqualTo("a");
        assertThat(errorFor(bad, "{\"type\":\"subscribe\",\"channel\":\"a\",\"presence\":\"yes\"}")
                .get("error").asText()).isEqualTo("invalid_field");
        healthyStillReceives();

        bad.subscribeAndWait("a", null, false);
        JsonNode twice = errorFor(bad, "{\"type\":\"subscribe\",\"channel\":\"a\",\"ref\":4}");
        assertThat(twice.get("error").asText()).isEqualTo("already_subscribed");
        bad.subscribeAndWait("b", null, false);
        bad.subscribeAndWait("c", null, false);
        JsonNode tooMany = errorFor(bad, "{\"type\":\"subscribe\",\"channel\":\"d\",\"ref\":5}");
        assertThat(tooMany.get("error").asText()).isEqualTo("too_many_subscriptions");
        assertThat(tooMany.get("message").asText()).contains("3");
        JsonNode notSubscribed = errorFor(bad, "{\"type\":\"unsubscribe\",\"channel\":\"zzz\",\"ref\":6}");
        assertThat(notSubscribed.get("error").asText()).isEqualTo("not_subscribed");

        bad.send("{\"type\":\"unsubscribe\",\"channel\":\"a\",\"ref\":7}");
        JsonNode ack = bad.nextOfType("ack");
        assertThat(ack.get("ref").asInt()).isEqualTo(7);
        bad.subscribeAndWait("d", null, false);   // room for one more again

        WsClient member = herald.connected("client=first");
        member.subscribeAndWait("room", null, true);
        WsClient late = herald.connected("client=late");
        JsonNode full = errorFor(late, "{\"type\":\"subscribe\",\"channel\":\"room\",\"presence\":true,\"ref\":8}");
        assertThat(full.get("error").asText()).isEqualTo("presence_full");
        late.subscribeAndWait("room", null, false);   // without presence it may still listen
        healthyStillReceives();
    }

    @Test
    void badPublishesGetTheirOwnCodes() {
        WsClient bad = herald.connected("");
        assertThat(errorFor(bad, "{\"type\":\"publish\",\"channel\":\"news\",\"ref\":1}").get("error").asText())
                .isEqualTo("missing_field");
        assertThat(errorFor(bad, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":\"\"}").get("error").asText())
                .isEqualTo("empty_data");
        String big = "x".repeat(MAX_MESSAGE + 1);
        JsonNode tooLarge = errorFor(bad, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":\"" + big + "\"}");
        assertThat(tooLarge.get("error").asText()).isEqualTo("payload_too_large");
        assertThat(errorFor(bad, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":\"x\",\"event\":\"presence\"}")
                .get("error").asText()).isEqualTo("invalid_event");
        assertThat(errorFor(bad, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":\"\\ud800\"}")
                .get("error").asText()).isEqualTo("invalid_data");
        assertThat(errorFor(bad, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":\"x\",\"ephemeral\":1}")
                .get("error").asText()).isEqualTo("invalid_field");
        healthyStillReceives();

        bad.sendBinary(new byte[] {0, 50, 1, 2});
        assertThat(bad.nextOfType("error").get("error").asText()).isEqualTo("invalid_frame");
        bad.sendBinary(WsClient.binaryFrame(frame("type", "subscribe", "channel", "news"), new byte[] {1}));
        assertThat(bad.nextOfType("error").get("error").asText()).isEqualTo("invalid_frame");
        bad.sendBinary(WsClient.binaryFrame(frame("type", "publish", "channel", "news", "data", "x"), new byte[] {1}));
        assertThat(bad.nextOfType("error").get("error").asText()).isEqualTo("invalid_field");
        bad.sendBinary(WsClient.binaryFrame(frame("type", "publish", "channel", "news"), new byte[MAX_MESSAGE + 1]));
        assertThat(bad.nextOfType("error").get("error").asText()).isEqualTo("payload_too_large");
        healthyStillReceives();
    }

    @Test
    void aFrameBeyondTheLimitClosesWith1009() {
        WsClient bad = herald.connected("");
        int limit = 2 * MAX_MESSAGE + WebSocketEndpoint.FRAME_ENVELOPE;
        bad.socket().sendText("x".repeat(limit + 1), true);
        assertThat(bad.awaitClose().code()).isEqualTo(1009);
        healthyStillReceives();
    }

    @Test
    void aFragmentedMessageBeyondTheLimitClosesWith1009() {
        WsClient bad = herald.connected("");
        int limit = 2 * MAX_MESSAGE + WebSocketEndpoint.FRAME_ENVELOPE;
        WebSocket socket = bad.socket();
        for (int i = 0; i < 4; i++) {
            socket.sendText("y".repeat(limit / 3), false).orTimeout(20, TimeUnit.SECONDS).exceptionally(f -> null)
                    .join();
        }
        assertThat(bad.awaitClose().code()).isEqualTo(1009);
        healthyStillReceives();
    }

    @Test
    void invalidUtf8InATextFrameClosesWith1007() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws")) {
            assertThat(raw.status()).isEqualTo(101);
            raw.send(RawWebSocket.TEXT, true, new byte[] {'"', (byte) 0xc3, (byte) 0x28, '"'}, true);
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1007);
        }
        healthyStillReceives();
    }

    /**
     * A command split over three frames, with a ping between two of them (RFC 6455 allows control frames inside a
     * fragmented message), is one command; whole frames after it still work.
     */
    @Test
    void aFragmentedCommandIsJoinedAroundControlFrames() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws")) {
            assertThat(raw.status()).isEqualTo(101);
            raw.send(RawWebSocket.TEXT, false, utf8("{\"type\":\"pi"), true);
            raw.send(RawWebSocket.PING, true, utf8("between"), true);
            raw.send(RawWebSocket.CONTINUATION, false, utf8("ng\",\"ref\":\"fr"), true);
            raw.send(RawWebSocket.CONTINUATION, true, utf8("agmented\"}"), true);
            raw.sendText("{\"type\":\"ping\",\"ref\":\"whole\"}");

            assertThat(nextText(raw, RawWebSocket.TEXT)).contains("\"type\":\"connected\"");
            assertThat(nextText(raw, RawWebSocket.PONG)).isEqualTo("between");
            assertThat(nextText(raw, RawWebSocket.TEXT)).contains("\"type\":\"pong\"", "\"ref\":\"fragmented\"");
            assertThat(nextText(raw, RawWebSocket.TEXT)).contains("\"type\":\"pong\"", "\"ref\":\"whole\"");
        }
        healthyStillReceives();
    }

    /** UTF-8 is checked across fragments: a character split between two frames is fine, a broken one is 1007. */
    @Test
    void invalidUtf8AcrossFragmentsClosesWith1007() throws Exception {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws")) {
            assertThat(nextText(raw, RawWebSocket.TEXT)).contains("\"type\":\"connected\"");
            raw.send(RawWebSocket.TEXT, false, new byte[] {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', euro[0]}, true);
            raw.send(RawWebSocket.CONTINUATION, true, new byte[] {euro[1], euro[2], '"', '}'}, true);
            assertThat(nextText(raw, RawWebSocket.TEXT)).contains("\"error\":\"unknown_type\"");

            raw.send(RawWebSocket.TEXT, false, new byte[] {'"', euro[0]}, true);
            raw.send(RawWebSocket.CONTINUATION, true, new byte[] {'(', '"'}, true);
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1007);
        }
        healthyStillReceives();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The payload of the next frame with {@code opcode}, skipping frames of other kinds. */
    private static String nextText(RawWebSocket raw, int opcode) throws Exception {
        while (true) {
            RawWebSocket.Frame frame = raw.read();
            assertThat(frame).as("the connection ended early").isNotNull();
            if (frame.opcode() == opcode) {
                return frame.text();
            }
        }
    }

    @Test
    void anUnmaskedFrameClosesWith1002() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws")) {
            raw.send(RawWebSocket.TEXT, true, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8), false);
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1002);
        }
        healthyStillReceives();
    }

    @Test
    void aBadUpgradeIsRefusedBeforeItStarts() throws Exception {
        assertThat(herald.get("/v1/ws").statusCode()).isEqualTo(426);
        assertThat(WsClient.parse(herald.get("/v1/ws").body()).get("error").asText()).isEqualTo("upgrade_required");
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws?client=" + "x".repeat(65))) {
            assertThat(raw.status()).isEqualTo(400);
            assertThat(WsClient.parse(raw.readBody()).get("error").asText()).isEqualTo("invalid_client");
        }
        // A draft version (hybi-08): 426 naming the one version Herald speaks.
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws", "Sec-WebSocket-Version: 8")) {
            assertThat(raw.status()).isEqualTo(426);
            assertThat(raw.responseHead().toLowerCase()).contains("sec-websocket-version: 13");
        }
        healthyStillReceives();
    }
}
