package dev.herald.core;

import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PayloadTest {

    @Test
    void textIsHandedBackExactlyAsPublished() {
        Payload payload = Payload.text("héllo \uD83D\uDC4B\nline two");

        assertThat(payload.kind()).isEqualTo(Payload.Kind.TEXT);
        assertThat(payload.asText()).isEqualTo("héllo \uD83D\uDC4B\nline two");
        assertThat(payload.size()).isEqualTo("héllo \uD83D\uDC4B\nline two".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void acceptsWellFormedUtf8AsTextOrJson() {
        byte[] json = "{\"price\":\"3€\"}".getBytes(StandardCharsets.UTF_8);

        Payload payload = Payload.utf8(Payload.Kind.JSON, json);

        assertThat(payload.kind()).isEqualTo(Payload.Kind.JSON);
        assertThat(payload.isBinary()).isFalse();
        assertThat(payload.asText()).isEqualTo("{\"price\":\"3€\"}");
    }

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                Arguments.of("lone continuation byte", new byte[] {'a', (byte) 0x80}),
                Arguments.of("truncated two-byte sequence", new byte[] {'a', (byte) 0xC3}),
                Arguments.of("overlong encoding of '/'", new byte[] {(byte) 0xC0, (byte) 0xAF}),
                Arguments.of("encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of("beyond U+10FFFF", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("invalid byte 0xFF", new byte[] {(byte) 0xFF}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void rejectsInvalidUtf8(String description, byte[] bytes) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Payload.utf8(Payload.Kind.TEXT, bytes))
                .withMessage("body is not valid UTF-8");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Payload.utf8(Payload.Kind.JSON, bytes))
                .withMessage("body is not valid UTF-8");
    }

    @Test
    void utf8RefusesBinaryKind() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Payload.utf8(Payload.Kind.BINARY, new byte[] {1}))
                .withMessage("kind must be TEXT or JSON, not BINARY");
    }

    @Test
    void binaryTextFormIsPaddedBase64() {
        Payload payload = Payload.binary(new byte[] {0, (byte) 0xFF, (byte) 0xFE, 'a'});

        assertThat(payload.isBinary()).isTrue();
        assertThat(payload.asText()).isEqualTo("AP/+YQ==");
    }

    @Test
    void binaryAcceptsBytesThatAreNotUtf8() {
        byte[] bytes = {(byte) 0xC0, (byte) 0xAF};

        assertThat(Payload.binary(bytes).bytes()).containsExactly(bytes);
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] source = {1, 2, 3};
        Payload payload = Payload.binary(source);

        source[0] = 9;
        payload.bytes()[1] = 9;

        assertThat(payload.bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void bufferIsAReadOnlyViewOfTheBytes() {
        Payload payload = Payload.text("abc");

        assertThat(payload.buffer().remaining()).isEqualTo(3);
        assertThat(payload.buffer().get(2)).isEqualTo((byte) 'c');
        assertThatExceptionOfType(ReadOnlyBufferException.class).isThrownBy(() -> payload.buffer().put(0, (byte) 'x'));
    }

    @Test
    void payloadsWithEqualKindAndBytesAreEqual() {
        byte[] utf8 = "same".getBytes(StandardCharsets.UTF_8);

        assertThat(Payload.text("same"))
                .isEqualTo(Payload.utf8(Payload.Kind.TEXT, utf8))
                .hasSameHashCodeAs(Payload.utf8(Payload.Kind.TEXT, utf8));
        assertThat(Payload.binary(new byte[] {1, 2})).isEqualTo(Payload.binary(new byte[] {1, 2}));
    }

    @Test
    void payloadsDifferingInKindOrBytesAreNotEqual() {
        byte[] utf8 = "same".getBytes(StandardCharsets.UTF_8);

        assertThat(Payload.text("same")).isNotEqualTo(Payload.utf8(Payload.Kind.JSON, utf8));
        assertThat(Payload.text("same")).isNotEqualTo(Payload.binary(utf8));
        assertThat(Payload.text("same")).isNotEqualTo(Payload.text("Same"));
    }

    @Test
    void toStringShowsKindAndSizeButNotTheContent() {
        assertThat(Payload.text("secret")).hasToString("Payload[TEXT, 6 bytes]");
    }
}
