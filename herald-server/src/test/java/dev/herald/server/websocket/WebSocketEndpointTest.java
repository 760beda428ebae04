package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.HeraldNode;
import dev.herald.server.HeraldServerConfig;
import dev.herald.server.http.ChannelsEndpoint;
import dev.herald.server.http.HttpCodec;
import dev.herald.server.http.HttpConnection;
import dev.herald.server.http.HttpRouter;
import dev.herald.server.internal.LiveConnections;
import dev.herald.server.longpoll.LongPollEndpoint;
import dev.herald.server.sse.SseEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upgrade on an {@link EmbeddedChannel} with the server's HTTP pipeline, no socket: the router hands
 * {@code /v1/ws} to the endpoint, which checks the origin, replaces the HTTP handlers with WebSocket ones, and the
 * connection then speaks frames.
 */
class WebSocketEndpointTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private final HeraldNode node = HeraldNode.builder().build();
    private final HeraldServerConfig config = HeraldServerConfig.builder().port(0)
            .allowedOrigins(List.of("https://app.example.com")).build();
    private final LiveConnections live = new LiveConnections();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        node.close();
    }

    private void pipeline() {
        HttpRouter router = new HttpRouter(node, live, new ChannelsEndpoint(node), new SseEndpoint(node, config, live),
                new LongPollEndpoint(node, config), new WebSocketEndpoint(node, config, live));
        HttpConnection.opened(channel);
        HttpCodec.addTo(channel.pipeline(), 8192, 16384, 8192);
        channel.pipeline().addLast("aggregator", new HttpObjectAggregator(65536));
        channel.pipeline().addLast("router", router);
    }

    private String upgrade(String origin) {
        channel.writeInbound(Unpooled.copiedBuffer("GET /v1/ws?client=alice HTTP/1.1\r\nHost: herald.example.com\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n",
                StandardCharsets.US_ASCII));
        return readAll();
    }

    private String readAll() {
        StringBuilder out = new StringBuilder();
        Object message;
        while ((message = channel.readOutbound()) != null) {
            ByteBuf buffer = (ByteBuf) message;
            out.append(buffer.toString(StandardCharsets.ISO_8859_1));
            buffer.release();
        }
        return out.toString();
    }

    @Test
    void upgradesAnAllowedOriginAndSpeaksFrames() {
        pipeline();
        String response = upgrade("https://app.example.com");
        assertThat(response).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
        // RFC 6455 §1.3: base64(SHA-1(key + GUID)) for the sample nonce.
        assertThat(response).contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        // The fragment aggregator and its UTF-8 validator come with the first fragmented message, not before.
        assertThat(channel.pipeline().names()).contains("ws")
                .doesNotContain("router", "aggregator", HttpCodec.DECODER, HttpCodec.ENCODER, "ws-utf8",
                        "ws-aggregator");

        JsonNode connected = WsClient.parse(serverFrameText(response.substring(response.indexOf("\r\n\r\n") + 4)));
        assertThat(connected.get("type").asText()).isEqualTo("connected");
        assertThat(connected.get("client").asText()).isEqualTo("alice");
        assertThat(live.size()).isEqualTo(1);

        channel.writeInbound(maskedText("{\"type\":\"ping\",\"ref\":5}"));
        assertThat(serverFrameText(readAll())).isEqualTo("{\"type\":\"pong\",\"ref\":5}");
    }

    @Test
    void refusesAForeignOriginWith403BeforeTheUpgrade() {
        pipeline();
        String response = upgrade("https://evil.example");
        assertThat(response).startsWith("HTTP/1.1 403 Forbidden\r\n");
        assertThat(response).contains("\"error\":\"forbidden_origin\"");
        assertThat(channel.pipeline().names()).contains("router", HttpCodec.DECODER, HttpCodec.ENCODER)
                .doesNotContain("ws");
    }

    /** The payload of one unmasked, unfragmented server frame, as text. */
    private static String serverFrameText(String bytes) {
        byte[] raw = bytes.getBytes(StandardCharsets.ISO_8859_1);
        int length = raw[1] & 0x7f;
        int offset = 2;
        if (length == 126) {
            length = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
            offset = 4;
        }
        return new String(raw, offset, length, StandardCharsets.UTF_8);
    }

    private static ByteBuf maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte(0x81).writeByte(0x80 | payload.length).writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.writeByte(payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
