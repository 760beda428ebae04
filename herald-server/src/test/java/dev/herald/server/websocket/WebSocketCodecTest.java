package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.Member;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PublishOptions;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire format of docs/protocol.md, "WebSocket": its examples verbatim, and every parse error code. */
class WebSocketCodecTest {

    private static final int MAX = 64 * 1024;

    private static ClientCommand parse(String text) {
        return WebSocketCodec.parseText(text.getBytes(StandardCharsets.UTF_8), MAX);
    }

    private static WebSocketProblem problem(String text) {
        try {
            parse(text);
        } catch (WebSocketProblem problem) {
            return problem;
        }
        throw new AssertionError("no problem with " + text);
    }

    @Test
    void parsesTheDocumentedClientFrames() {
        assertThat(parse("""
                {"type":"subscribe","channel":"room","after":"lz514pry85-41","presence":true,"ref":1}"""))
                .isEqualTo(new ClientCommand.Subscribe(1L, ChannelId.of("room"), StreamPosition.parse("lz514pry85-41"),
                        true));
        assertThat(parse("""
                {"type":"publish","channel":"room","data":"hello","event":"chat","ref":2}"""))
                .isEqualTo(new ClientCommand.Publish(2L, ChannelId.of("room"), Payload.text("hello"), "chat", false));
        assertThat(parse("""
                {"type":"publish","channel":"cursors","data":{"x":10,"y":20},"ephemeral":true}"""))
                .isEqualTo(new ClientCommand.Publish(null, ChannelId.of("cursors"),
                        Payload.utf8(Payload.Kind.JSON, "{\"x\":10,\"y\":20}".getBytes(StandardCharsets.UTF_8)),
                        null, true));
        assertThat(parse("""
                {"type":"unsubscribe","channel":"room","ref":3}"""))
                .isEqualTo(new ClientCommand.Unsubscribe(3L, ChannelId.of("room")));
        assertThat(parse("""
                {"type":"ping","ref":"hb-7"}""")).isEqualTo(new ClientCommand.Ping("hb-7"));
    }

    @Test
    void keepsJsonDataByteForByteWhateverTheWhitespace() {
        for (String json : List.of("{ \"a\" : [1, 2.50] }", "[]", "42", "-1.5e3", "true", "null", "\"\\u00e9\"")) {
            ClientCommand.Publish publish = (ClientCommand.Publish) parse(
                    "{\"type\":\"publish\",\"channel\":\"c\",\"data\":" + json + " }");
            if (json.startsWith("\"")) {
                assertThat(publish.payload()).isEqualTo(Payload.text("é"));
            } else {
                assertThat(publish.payload().kind()).isEqualTo(Payload.Kind.JSON);
                assertThat(publish.payload().asText()).isEqualTo(json);
            }
        }
    }

    @Test
    void ignoresUnknownFieldsAndAcceptsNullForOptionalOnes() {
        assertThat(parse("{\"type\":\"subscribe\",\"channel\":\"a\",\"after\":null,\"future\":{\"x\":[1]}}"))
                .isEqualTo(new ClientCommand.Subscribe(null, ChannelId.of("a"), null, false));
    }

    @Test
    void everyMalformedFrameHasItsCode() {
        assertThat(problem("{not json").code()).isEqualTo("invalid_json");
        assertThat(problem("[1]").code()).isEqualTo("invalid_json");
        assertThat(problem("{} {}").code()).isEqualTo("invalid_json");
        assertThat(problem("{\"ref\":1}").code()).isEqualTo("missing_field");
        assertThat(problem("{\"type\":\"subscribe\"}").code()).isEqualTo("missing_field");
        assertThat(problem("{\"type\":\"publish\",\"channel\":\"a\"}").code()).isEqualTo("missing_field");
        assertThat(problem("{\"type\":7}").code()).isEqualTo("invalid_field");
        assertThat(problem("{\"type\":\"subscribe\",\"channel\":\"a\",\"presence\":1}").code())
                .isEqualTo("invalid_field");
        assertThat(problem("{\"type\":\"ping\",\"ref\":\"" + "r".repeat(65) + "\"}").code()).isEqualTo("invalid_field");
        assertThat(problem("{\"type\":\"ping\",\"ref\":1.5}").code()).isEqualTo("invalid_field");
        assertThat(problem("{\"type\":\"sing\"}").code()).isEqualTo("unknown_type");
        assertThat(problem("{\"type\":\"subscribe\",\"channel\":\"a b\"}").code()).isEqualTo("invalid_channel");
        assertThat(problem("{\"type\":\"subscribe\",\"channel\":\"a\",\"after\":\"x\"}").code())
                .isEqualTo("invalid_cursor");
        assertThat(problem("{\"type\":\"publish\",\"channel\":\"a\",\"data\":\"x\",\"event\":\"reset\"}").code())
                .isEqualTo("invalid_event");
        assertThat(problem("{\"type\":\"publish\",\"channel\":\"a\",\"data\":\"\"}").code()).isEqualTo("empty_data");
        assertThat(problem("{\"type\":\"publish\",\"channel\":\"a\",\"data\":\"\\udc00x\"}").code())
                .isEqualTo("invalid_data");
        assertThat(problem("{\"type\":\"publish\",\"channel\":\"a\",\"data\":\"" + "x".repeat(MAX + 1) + "\"}")
                .code()).isEqualTo("payload_too_large");
    }

    @Test
    void errorsEchoTheRefWhateverTheFieldOrder() {
        WebSocketProblem problem = problem("{\"channel\":\"a b\",\"type\":\"subscribe\",\"ref\":\"late\"}");
        assertThat(problem.ref()).isEqualTo("late");
        assertThat(WsClient.parse(new String(WebSocketCodec.error(problem), StandardCharsets.UTF_8)).get("ref")
                .asText()).isEqualTo("late");
    }

    @Test
    void parsesTheDocumentedBinaryExample() {
        byte[] header = "{\"type\":\"publish\",\"channel\":\"cam\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(header.length).isEqualTo(0x22);
        byte[] frame = new byte[2 + header.length + 3];
        frame[1] = 0x22;
        System.arraycopy(header, 0, frame, 2, header.length);
        frame[frame.length - 3] = 1;
        frame[frame.length - 2] = 2;
        frame[frame.length - 1] = 3;
        assertThat(WebSocketCodec.parseBinary(frame, MAX)).isEqualTo(new ClientCommand.Publish(null,
                ChannelId.of("cam"), Payload.binary(new byte[] {1, 2, 3}), null, false));
    }

    @Test
    void refusesBrokenBinaryFrames() {
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(new byte[] {0}, MAX))
                .hasFieldOrPropertyWithValue("code", "invalid_frame");
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(new byte[] {0, 9, '{', '}'}, MAX))
                .hasFieldOrPropertyWithValue("code", "invalid_frame");
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(binary("{\"type\":\"ping\"}", 1), MAX))
                .hasFieldOrPropertyWithValue("code", "invalid_frame");
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(binary("{\"channel\":\"a\",\"data\":\"x\"}", 1), MAX))
                .hasFieldOrPropertyWithValue("code", "invalid_field");
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(binary("{\"channel\":\"a\"}", 0), MAX))
                .hasFieldOrPropertyWithValue("code", "empty_data");
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(binary("{\"channel\":\"a\"}", MAX + 1), MAX))
                .hasFieldOrPropertyWithValue("code", "payload_too_large");
        assertThatThrownBy(() -> WebSocketCodec.parseBinary(binary("{\"channel\"", 1), MAX))
                .hasFieldOrPropertyWithValue("code", "invalid_json");
    }

    @Test
    void encodesMessagesOnceAsTextOrBinaryFrames() {
        StreamPosition id = StreamPosition.parse("lz514pry85-42");
        Message text = Message.create(ChannelId.of("room"), id, 1795258994199L, PublishOptions.event("chat"),
                Payload.text("hello"));
        WebSocketCodec.Encoded encoded = text.encoded(WebSocketCodec.MESSAGE);
        assertThat(encoded.binary()).isFalse();
        assertThat(new String(encoded.bytes(), StandardCharsets.UTF_8)).isEqualTo("""
                {"type":"message","channel":"room","id":"lz514pry85-42","event":"chat","data":"hello",\
                "time":1795258994199}""");
        assertThat(text.encoded(WebSocketCodec.MESSAGE)).isSameAs(encoded);

        Message json = Message.create(ChannelId.of("cursors"), id, 1795258994201L,
                new PublishOptions(null, true), Payload.utf8(Payload.Kind.JSON, "{\"x\":10,\"y\":20}".getBytes(
                        StandardCharsets.UTF_8)));
        assertThat(new String(json.encoded(WebSocketCodec.MESSAGE).bytes(), StandardCharsets.UTF_8)).isEqualTo("""
                {"type":"message","channel":"cursors","ephemeral":true,"data":{"x":10,"y":20},"time":1795258994201}""");

        byte[] payload = {0, (byte) 0xff, 10};
        Message binary = Message.create(ChannelId.of("cam"), id, 7, PublishOptions.DEFAULT, Payload.binary(payload));
        byte[] frame = binary.encoded(WebSocketCodec.MESSAGE).bytes();
        int n = ((frame[0] & 0xff) << 8) | (frame[1] & 0xff);
        assertThat(new String(frame, 2, n, StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"message\",\"channel\":\"cam\",\"id\":\"lz514pry85-42\",\"time\":7}");
        assertThat(Arrays.copyOfRange(frame, 2 + n, frame.length)).isEqualTo(payload);
    }

    @Test
    void encodesTheOtherServerFramesAsDocumented() {
        assertThat(text(WebSocketCodec.connected(new Member("1x8k2v0q9zt0a", "alice"), 15000, 10000, 65536, 100)))
                .isEqualTo("""
                        {"type":"connected","connection":"1x8k2v0q9zt0a","client":"alice","pingInterval":15000,\
                        "pingTimeout":10000,"maxMessageSize":65536,"maxSubscriptions":100}""");
        assertThat(text(WebSocketCodec.subscribed(1L, ChannelId.of("room"), StreamPosition.parse("lz514pry85-41"))))
                .isEqualTo("{\"type\":\"ack\",\"ref\":1,\"channel\":\"room\",\"position\":\"lz514pry85-41\"}");
        assertThat(text(WebSocketCodec.published("p", ChannelId.of("room"), null)))
                .isEqualTo("{\"type\":\"ack\",\"ref\":\"p\",\"channel\":\"room\",\"ephemeral\":true}");
        assertThat(text(WebSocketCodec.presence(new PresenceEvent(ChannelId.of("room"), PresenceEvent.Action.SYNC,
                List.of(new Member("1x8k2v0q9zt0a", "alice")), 3)))).isEqualTo("""
                {"type":"presence","channel":"room","action":"sync","members":[{"connection":"1x8k2v0q9zt0a",\
                "client":"alice"}]}""");
        assertThat(text(WebSocketCodec.presence(PresenceEvent.change(ChannelId.of("room"), PresenceEvent.Action.JOIN,
                new Member("2b7d0e1c4m9f", "bob"), 4)))).isEqualTo("""
                {"type":"presence","channel":"room","action":"join","member":{"connection":"2b7d0e1c4m9f",\
                "client":"bob"}}""");
        assertThat(text(WebSocketCodec.reset(new Reset(ChannelId.of("news"), GapReason.STREAM_RESTARTED,
                StreamPosition.parse("q0c1f8zz2a-0"))))).isEqualTo("""
                {"type":"reset","channel":"news","reason":"stream_restarted","position":"q0c1f8zz2a-0"}""");
        assertThat(text(WebSocketCodec.pong(null))).isEqualTo("{\"type\":\"pong\"}");
        JsonNode error = WsClient.parse(text(WebSocketCodec.error(new WebSocketProblem("invalid_channel", "bad",
                4L, null))));
        assertThat(error.toString()).isEqualTo("{\"type\":\"error\",\"ref\":4,\"error\":\"invalid_channel\","
                + "\"message\":\"bad\"}");
    }

    private static byte[] binary(String header, int payloadLength) {
        byte[] head = header.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + head.length + payloadLength];
        frame[0] = (byte) (head.length >>> 8);
        frame[1] = (byte) head.length;
        System.arraycopy(head, 0, frame, 2, head.length);
        Arrays.fill(frame, 2 + head.length, frame.length, (byte) 7);
        return frame;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
