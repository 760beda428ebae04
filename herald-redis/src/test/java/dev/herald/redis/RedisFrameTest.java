package dev.herald.redis;

import dev.herald.core.ChannelId;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.StreamPosition;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Frames as {@code publish.lua} builds them: {@code <epoch> <offset> <time> <kind><e|d> <event>\n<payload>}. */
class RedisFrameTest {

    private static final ChannelId CHANNEL = ChannelId.of("news");

    private static byte[] frame(String header, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((header + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void decodesADurableTextMessageWithoutEvent() {
        Message message = RedisFrame.decode(CHANNEL,
                frame("k3f9a2qz1m 42 1795258994199 td ", "line one\nline two".getBytes(StandardCharsets.UTF_8)));

        assertThat(message.channel()).isEqualTo(CHANNEL);
        assertThat(message.position()).isEqualTo(new StreamPosition("k3f9a2qz1m", 42));
        assertThat(message.publishedAtMillis()).isEqualTo(1795258994199L);
        assertThat(message.event()).isNull();
        assertThat(message.ephemeral()).isFalse();
        assertThat(message.payload()).isEqualTo(Payload.text("line one\nline two"));
    }

    @Test
    void decodesAnEphemeralJsonMessageWithEvent() {
        Message message = RedisFrame.decode(CHANNEL, frame("e1 7 5 je typing", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));

        assertThat(message.ephemeral()).isTrue();
        assertThat(message.event()).isEqualTo("typing");
        assertThat(message.payload().kind()).isEqualTo(Payload.Kind.JSON);
        assertThat(message.payload().asText()).isEqualTo("{\"a\":1}");
    }

    @Test
    void keepsBinaryPayloadsVerbatimIncludingNewlinesAndZeroBytes() {
        byte[] bytes = {0, '\n', -1, '\r', 10};

        Message message = RedisFrame.decode(CHANNEL, frame("e1 1 5 bd ", bytes));

        assertThat(message.payload()).isEqualTo(Payload.binary(bytes));
    }

    @Test
    void anEmptyPayloadIsAllowed() {
        assertThat(RedisFrame.decode(CHANNEL, frame("e1 1 5 td ", new byte[0])).payload().size()).isZero();
    }

    @Test
    void refusesMalformedFrames() {
        assertThatIllegalArgumentException().isThrownBy(() -> RedisFrame.decode(CHANNEL, "no header".getBytes()));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisFrame.decode(CHANNEL, frame("e1 1 5 xd ", new byte[0])));
        assertThatIllegalArgumentException().isThrownBy(() -> RedisFrame.decode(CHANNEL, frame("e1 1 td", new byte[0])));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisFrame.decode(CHANNEL, frame("e1 1 5 td ", new byte[] {(byte) 0xC3})));
    }

    @Test
    void kindCharactersMatchWhatTheScriptWrites() {
        assertThat(RedisFrame.kind(Payload.text("x"))).isEqualTo("t");
        assertThat(RedisFrame.kind(Payload.utf8(Payload.Kind.JSON, "1".getBytes()))).isEqualTo("j");
        assertThat(RedisFrame.kind(Payload.binary(new byte[1]))).isEqualTo("b");
    }
}
