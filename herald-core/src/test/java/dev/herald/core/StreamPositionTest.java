package dev.herald.core;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class StreamPositionTest {

    @ParameterizedTest
    @ValueSource(strings = {"k3f9a2qz1m-42", "a-0", "0-1", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-999999999999999999"})
    void textFormRoundTrips(String text) {
        StreamPosition position = StreamPosition.parse(text);

        assertThat(position.toString()).isEqualTo(text);
        assertThat(StreamPosition.parse(position.toString())).isEqualTo(position);
    }

    @Test
    void parsesEpochAndOffset() {
        assertThat(StreamPosition.parse("k3f9a2qz1m-42")).isEqualTo(new StreamPosition("k3f9a2qz1m", 42));
    }

    @Test
    void atKeepsTheEpochAndMovesTheOffset() {
        assertThat(new StreamPosition("e1", 4).at(9)).isEqualTo(new StreamPosition("e1", 9));
    }

    static Stream<Arguments> malformedPositions() {
        String longEpoch = "a".repeat(StreamPosition.MAX_EPOCH_LENGTH + 1);
        return Stream.of(
                Arguments.of("", "position '' is not of the form <epoch>-<offset>"),
                Arguments.of("abc42", "position 'abc42' is not of the form <epoch>-<offset>"),
                Arguments.of("-42", "position '-42' is not of the form <epoch>-<offset>"),
                Arguments.of("abc-", "position 'abc-' is not of the form <epoch>-<offset>"),
                Arguments.of("ABC-1", "position 'ABC-1' has an invalid epoch"),
                Arguments.of("a_c-1", "position 'a_c-1' has an invalid epoch"),
                Arguments.of("abc--1", "position 'abc--1' has an invalid epoch"),
                Arguments.of(" abc-1", "position ' abc-1' has an invalid epoch"),
                Arguments.of(longEpoch + "-1", "position '" + longEpoch + "-1' has an invalid epoch"),
                Arguments.of("abc-1x", "position 'abc-1x' has an invalid offset"),
                Arguments.of("abc-+1", "position 'abc-+1' has an invalid offset"),
                Arguments.of("abc-1 ", "position 'abc-1 ' has an invalid offset"),
                Arguments.of("abc-\u0661", "position 'abc-\u0661' has an invalid offset"),   // Arabic-Indic one
                Arguments.of("abc-" + "9".repeat(19), "position 'abc-" + "9".repeat(19) + "' has an invalid offset"));
    }

    @ParameterizedTest
    @MethodSource("malformedPositions")
    void rejectsMalformedTextSayingWhatIsWrong(String text, String message) {
        assertThatExceptionOfType(MalformedCursorException.class)
                .isThrownBy(() -> StreamPosition.parse(text))
                .withMessage(message);
    }

    @Test
    void errorForHostileInputEchoesAtMost64Characters() {
        String hostile = "a".repeat(1_000_000);

        assertThatExceptionOfType(MalformedCursorException.class)
                .isThrownBy(() -> StreamPosition.parse(hostile))
                .satisfies(e -> assertThat(e.getMessage())
                        .isEqualTo("position '" + "a".repeat(61) + "...' is not of the form <epoch>-<offset>"));
    }

    @Test
    void rejectsNegativeOffset() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new StreamPosition("e1", -1))
                .withMessage("offset must not be negative: -1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "E1", "e-1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void rejectsInvalidEpochNamingTheRule(String epoch) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new StreamPosition(epoch, 1))
                .withMessage("epoch must be 1-32 characters of [0-9a-z]: '" + epoch + "'");
    }

    @Test
    void ordersByOffsetWithinOneEpoch() {
        assertThat(new StreamPosition("e1", 3)).isLessThan(new StreamPosition("e1", 4));
        assertThat(new StreamPosition("e1", 4)).isEqualByComparingTo(new StreamPosition("e1", 4));
    }

    @Test
    void refusesToOrderPositionsOfDifferentEpochs() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new StreamPosition("e1", 3).compareTo(new StreamPosition("e2", 4)))
                .withMessage("positions of different epochs: e1-3 and e2-4");
    }
}
