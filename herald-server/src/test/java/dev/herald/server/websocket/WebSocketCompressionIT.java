package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** permessage-deflate (RFC 7692) when enabled: negotiated, both directions compressed, and bounded on inflate. */
class WebSocketCompressionIT {

    private static final int MAX_MESSAGE = 4096;

    private final WsHarness herald = WsHarness.start(config -> config.wsCompression(true).maxMessageBytes(MAX_MESSAGE));
    private final Inflater inflater = new Inflater(true);

    @AfterEach
    void close() {
        inflater.end();
        herald.close();
    }

    @Test
    void compressedFramesFlowBothWays() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")) {
            assertThat(raw.status()).isEqualTo(101);
            assertThat(raw.responseHead().toLowerCase()).contains("sec-websocket-extensions: permessage-deflate");
            JsonNode connected = WsClient.parse(inflate(raw.read()));
            assertThat(connected.get("type").asText()).isEqualTo("connected");

            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            String text = "{\"type\":\"subscribe\",\"channel\":\"z\",\"ref\":\"" + "r".repeat(40) + "\"}";
            raw.send(RawWebSocket.TEXT, true, 0x40, deflate(deflater, text.getBytes(StandardCharsets.UTF_8)), true);
            JsonNode ack = WsClient.parse(inflate(raw.read()));
            assertThat(ack.get("type").asText()).isEqualTo("ack");

            String data = "all work and no play ".repeat(100);
            herald.publish("z", data);
            RawWebSocket.Frame frame = raw.read();
            assertThat(frame.rsv() & 0x40).as("compressed").isEqualTo(0x40);
            assertThat(frame.payload().length).isLessThan(data.length() / 4);
            assertThat(WsClient.parse(inflate(frame)).get("data").asText()).isEqualTo(data);
            deflater.end();
        }
    }

    @Test
    void aMessageThatInflatesBeyondTheLimitClosesWith1009() throws Exception {
        WsClient healthy = herald.connected("");
        healthy.subscribeAndWait("news", null, false);
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), "/v1/ws",
                "Sec-WebSocket-Extensions: permessage-deflate")) {
            assertThat(raw.status()).isEqualTo(101);
            Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
            byte[] bomb = deflate(deflater, new byte[8 * 1024 * 1024]);   // 8 MiB of zeros in about 8 KiB
            deflater.end();
            assertThat(bomb.length).isLessThan(2 * MAX_MESSAGE + WebSocketEndpoint.FRAME_ENVELOPE);
            raw.send(RawWebSocket.TEXT, true, 0x40, bomb, true);
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
        herald.publish("news", "still here");
        assertThat(healthy.nextOfType("message").get("data").asText()).isEqualTo("still here");
    }

    /** Deflates one message the way RFC 7692 §7.2.1 says: sync flush, then strip the trailing 00 00 ff ff. */
    private static byte[] deflate(Deflater deflater, byte[] message) {
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buffer, 0, n);
        }
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4);
    }

    private String inflate(RawWebSocket.Frame frame) throws Exception {
        if ((frame.rsv() & 0x40) == 0) {
            return frame.text();
        }
        byte[] input = Arrays.copyOf(frame.payload(), frame.payload().length + 4);
        input[input.length - 3] = 0;
        input[input.length - 2] = (byte) 0xff;
        input[input.length - 1] = (byte) 0xff;
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = inflater.inflate(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
