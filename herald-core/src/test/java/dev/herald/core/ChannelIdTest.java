package dev.herald.core;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChannelIdTest {

    @Test
    void acceptsEveryCharacterOfTheDocumentedCharset() {
        String all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:@";

        assertThat(ChannelId.of(all).value()).isEqualTo(all);
        assertThat(ChannelId.problem(all)).isNull();
    }

    @Test
    void acceptsNamesOfOneAndOfMaxLengthCharacters() {
        assertThat(ChannelId.of("a").value()).isEqualTo("a");
        assertThat(ChannelId.of("x".repeat(ChannelId.MAX_LENGTH)).value()).hasSize(ChannelId.MAX_LENGTH);
    }

    @Test
    void rejectsEmptyNameSayingItIsEmpty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ChannelId.of(""))
                .withMessage("channel name must not be empty");
    }

    @Test
    void rejectsNullNameSayingItIsEmpty() {
        assertThat(ChannelId.problem(null)).isEqualTo("channel name must not be empty");
    }

    @Test
    void rejectsNameLongerThanMaxLengthSayingHowLongItIs() {
        String name = "x".repeat(ChannelId.MAX_LENGTH + 1);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ChannelId.of(name))
                .withMessage("channel name is 129 characters; at most 128 are allowed");
    }

    static Stream<Arguments> namesWithAnInvalidCharacter() {
        return Stream.of(
                Arguments.of("a b", 1),
                Arguments.of("a/b", 1),
                Arguments.of("room,lobby", 4),   // ',' separates the positions of a composite cursor
                Arguments.of("a?b", 1),
                Arguments.of("a#b", 1),
                Arguments.of("a%20b", 1),
                Arguments.of("a\nb", 1),        // would split an SSE or HTTP header line
                Arguments.of("ab\r", 2),
                Arguments.of("\u00e9t\u00e9", 0),
                Arguments.of("a\u0000b", 1),
                Arguments.of("a+b", 1),
                Arguments.of("ok/not ok", 2));
    }

    @ParameterizedTest
    @MethodSource("namesWithAnInvalidCharacter")
    void rejectsCharactersOutsideTheCharsetNamingTheFirstBadIndex(String name, int index) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ChannelId.of(name))
                .withMessage("channel name has an invalid character at index " + index
                        + "; allowed are A-Z a-z 0-9 _ - . : @");
    }

    @Test
    void equalNamesAreEqualAndPrintAsTheName() {
        assertThat(ChannelId.of("room:1")).isEqualTo(new ChannelId("room:1")).hasSameHashCodeAs(ChannelId.of("room:1"));
        assertThat(ChannelId.of("room:1")).hasToString("room:1");
    }
}
