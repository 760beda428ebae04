package dev.herald.core;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CursorTest {

    @Test
    void singleChannelCursorIsJustItsPosition() {
        Cursor cursor = Cursor.parse("k3f9a2qz1m-42", 1);

        assertThat(cursor.positions()).containsExactly(new StreamPosition("k3f9a2qz1m", 42));
        assertThat(cursor).hasToString("k3f9a2qz1m-42");
    }

    @Test
    void multiChannelCursorRoundTripsInChannelOrder() {
        String text = "e1-3,e2-0,zz9-18";

        Cursor cursor = Cursor.parse(text, 3);

        assertThat(cursor.positions()).containsExactly(
                new StreamPosition("e1", 3), new StreamPosition("e2", 0), new StreamPosition("zz9", 18));
        assertThat(cursor.toString()).isEqualTo(text);
        assertThat(Cursor.parse(cursor.toString(), 3)).isEqualTo(cursor);
    }

    @Test
    void withReplacesOnePositionAndLeavesTheOriginalAlone() {
        Cursor cursor = Cursor.parse("e1-3,e2-0", 2);

        Cursor moved = cursor.with(1, new StreamPosition("e2", 7));

        assertThat(moved).hasToString("e1-3,e2-7");
        assertThat(moved.get(0)).isEqualTo(cursor.get(0));
        assertThat(cursor).hasToString("e1-3,e2-0");
    }

    @Test
    void positionsAreCopiedSoTheCursorIsImmutable() {
        var positions = new java.util.ArrayList<>(List.of(new StreamPosition("e1", 1)));
        Cursor cursor = new Cursor(positions);

        positions.set(0, new StreamPosition("e1", 2));

        assertThat(cursor.get(0).offset()).isEqualTo(1);
        assertThatExceptionOfType(UnsupportedOperationException.class)
                .isThrownBy(() -> cursor.positions().add(new StreamPosition("e1", 3)));
    }

    @Test
    void cursorWithoutPositionsIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Cursor(List.of()))
                .withMessage("a cursor has at least one position");
    }

    static Stream<Arguments> malformedCursors() {
        String longEpoch = "a".repeat(StreamPosition.MAX_EPOCH_LENGTH + 1);
        return Stream.of(
                Arguments.of("", 1, "cursor is empty"),
                Arguments.of("abc42", 1, "position 'abc42' is not of the form <epoch>-<offset>"),
                Arguments.of("AbC-1", 1, "position 'AbC-1' has an invalid epoch"),
                Arguments.of("a.c-1", 1, "position 'a.c-1' has an invalid epoch"),
                Arguments.of(longEpoch + "-1", 1, "position '" + longEpoch + "-1' has an invalid epoch"),
                Arguments.of("abc-x1", 1, "position 'abc-x1' has an invalid offset"),
                Arguments.of("abc-1e3", 1, "position 'abc-1e3' has an invalid offset"),
                Arguments.of("abc-" + "1".repeat(19), 1, "position 'abc-" + "1".repeat(19) + "' has an invalid offset"),
                Arguments.of("e1-1,e2-2", 1, "cursor has 2 position(s) but the request names 1 channel(s)"),
                Arguments.of("e1-1", 2, "cursor has 1 position(s) but the request names 2 channel(s)"),
                Arguments.of("e1-1,", 2, "position '' is not of the form <epoch>-<offset>"),
                Arguments.of("e1-1,,e2-1", 2, "cursor has 3 position(s) but the request names 2 channel(s)"),
                Arguments.of(",", 1, "cursor has 2 position(s) but the request names 1 channel(s)"),
                Arguments.of("e1-1,e2-x", 2, "position 'e2-x' has an invalid offset"));
    }

    @ParameterizedTest
    @MethodSource("malformedCursors")
    void rejectsMalformedCursorSayingWhatIsWrong(String text, int channels, String message) {
        assertThatExceptionOfType(MalformedCursorException.class)
                .isThrownBy(() -> Cursor.parse(text, channels))
                .withMessage(message);
    }

    @Test
    void rejectsHostileLengthBeforeSplittingWithoutEchoingIt() {
        String hostile = "e1-1,".repeat(200_000);

        assertThatExceptionOfType(MalformedCursorException.class)
                .isThrownBy(() -> Cursor.parse(hostile, 2))
                .withMessage("cursor is 1000000 characters; a cursor for 2 channel(s) is at most 104");
    }

    @Test
    void acceptsTheLongestWellFormedCursor() {
        String longest = "z".repeat(StreamPosition.MAX_EPOCH_LENGTH) + "-" + "9".repeat(18);

        assertThat(Cursor.parse(longest + "," + longest, 2).positions()).hasSize(2);
    }

    @Test
    void malformedCursorIsAnIllegalArgument() {
        assertThatIllegalArgumentException().isThrownBy(() -> Cursor.parse("nope", 1));
    }
}
