package dev.herald.core.memory;

import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.HistoryPage;
import dev.herald.core.ManualClock;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryBufferTest {

    private static final ChannelId CHANNEL = ChannelId.of("room");
    private static final String EPOCH = "e1";

    private final ManualClock clock = new ManualClock();

    private HistoryBuffer buffer(int capacity) {
        return new HistoryBuffer(CHANNEL, EPOCH, capacity, clock.millis());
    }

    /** Publishes one message of {@code payloadBytes} bytes the way the broker does: assign, create, append. */
    private static Message append(HistoryBuffer buffer, ManualClock clock, int payloadBytes) {
        Message message = message(buffer.nextPosition(), clock, payloadBytes);
        buffer.append(message, clock.millis());
        return message;
    }

    private static Message message(StreamPosition position, ManualClock clock, int payloadBytes) {
        return Message.create(CHANNEL, position, clock.millis(), PublishOptions.DEFAULT,
                Payload.binary(new byte[payloadBytes]));
    }

    private Message append(HistoryBuffer buffer) {
        return append(buffer, clock, 4);
    }

    private static List<Long> offsets(HistoryPage page) {
        return page.messages().stream().map(Message::offset).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static StreamPosition at(long offset) {
        return new StreamPosition(EPOCH, offset);
    }

    @Test
    void emptyBufferIsAtOffsetZeroOfItsEpoch() {
        HistoryBuffer buffer = buffer(10);

        assertThat(buffer.top()).isEqualTo(at(0));
        assertThat(buffer.size()).isZero();
        assertThat(buffer.bytes()).isZero();
    }

    @Test
    void assignsStrictlyIncreasingConsecutiveOffsetsStartingAtOne() {
        HistoryBuffer buffer = buffer(3);

        List<Long> offsets = LongStream.range(0, 10).mapToObj(i -> append(buffer).offset()).toList();

        assertThat(offsets).isEqualTo(range(1, 10));
        assertThat(buffer.top()).isEqualTo(at(10));
    }

    @Test
    void evictsOldestWhenCapacityReached() {
        HistoryBuffer buffer = buffer(3);
        for (int i = 0; i < 5; i++) {
            append(buffer);
        }

        assertThat(buffer.size()).isEqualTo(3);
        assertThat(offsets(buffer.read(at(2), 10, clock.millis()))).isEqualTo(range(3, 5));
    }

    @Test
    void appendReportsBytesAddedNetOfTheEvictedMessage() {
        HistoryBuffer buffer = buffer(1);
        long first = buffer.append(message(buffer.nextPosition(), clock, 10), clock.millis());

        long second = buffer.append(message(buffer.nextPosition(), clock, 30), clock.millis());

        assertThat(first).isEqualTo(96 + 10);
        assertThat(second).isEqualTo(20);
        assertThat(buffer.bytes()).isEqualTo(96 + 30);
    }

    @Test
    void zeroCapacityRetainsNothingButStillCountsOffsets() {
        HistoryBuffer buffer = buffer(0);

        append(buffer);
        append(buffer);

        assertThat(buffer.size()).isZero();
        assertThat(buffer.top()).isEqualTo(at(2));
        HistoryPage page = buffer.read(at(0), 10, clock.millis());
        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(page.messages()).isEmpty();
        assertThat(page.resetPosition()).isEqualTo(at(2));
    }

    @Test
    void trimsByAgeDroppingOnlyMessagesPublishedBeforeTheCutoff() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        clock.advance(Duration.ofSeconds(10));
        append(buffer);
        clock.advance(Duration.ofSeconds(10));
        append(buffer);

        long freed = buffer.trimByAge(clock.millis() - Duration.ofSeconds(15).toMillis());

        assertThat(freed).isEqualTo(96 + 4);
        assertThat(offsets(buffer.read(null, 10, clock.millis()))).containsExactly(2L, 3L);
    }

    @Test
    void messageExactlyAtTheCutoffIsKept() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);

        buffer.trimByAge(clock.millis());

        assertThat(buffer.size()).isEqualTo(1);
    }

    @Test
    void trimsByBytesFromTheOldest() {
        HistoryBuffer buffer = buffer(10);
        append(buffer, clock, 100);
        append(buffer, clock, 100);
        append(buffer, clock, 100);

        long freed = buffer.trimToBytes(2 * (96 + 100));

        assertThat(freed).isEqualTo(96 + 100);
        assertThat(buffer.bytes()).isEqualTo(2 * (96 + 100));
        assertThat(offsets(buffer.read(null, 10, clock.millis()))).containsExactly(2L, 3L);
    }

    @Test
    void trimToZeroBytesEmptiesTheBufferButKeepsTheTop() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);

        buffer.trimToBytes(0);

        assertThat(buffer.size()).isZero();
        assertThat(buffer.bytes()).isZero();
        assertThat(buffer.top()).isEqualTo(at(2));
    }

    @Test
    void readsMessagesStrictlyAfterTheGivenOffset() {
        HistoryBuffer buffer = buffer(10);
        for (int i = 0; i < 5; i++) {
            append(buffer);
        }

        HistoryPage page = buffer.read(at(2), 10, clock.millis());

        assertThat(offsets(page)).isEqualTo(range(3, 5));
        assertThat(page.gap()).isNull();
        assertThat(page.more()).isFalse();
        assertThat(page.top()).isEqualTo(at(5));
    }

    @Test
    void readAtTheTopIsEmptyWithoutGap() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);

        HistoryPage page = buffer.read(at(2), 10, clock.millis());

        assertThat(page.messages()).isEmpty();
        assertThat(page.gap()).isNull();
        assertThat(page.next(at(2))).isEqualTo(at(2));
    }

    @Test
    void readFromNullStartsAtTheOldestRetainedWithoutGap() {
        HistoryBuffer buffer = buffer(3);
        for (int i = 0; i < 5; i++) {
            append(buffer);
        }

        HistoryPage page = buffer.read(null, 10, clock.millis());

        assertThat(offsets(page)).isEqualTo(range(3, 5));
        assertThat(page.gap()).isNull();
    }

    @Test
    void readJustBeforeTheOldestRetainedIsNotAGap() {
        HistoryBuffer buffer = buffer(3);
        for (int i = 0; i < 5; i++) {
            append(buffer);
        }

        HistoryPage page = buffer.read(at(2), 10, clock.millis());

        assertThat(page.gap()).isNull();
        assertThat(offsets(page)).isEqualTo(range(3, 5));
    }

    @Test
    void cursorBeforeTheOldestRetainedIsHistoryTrimmed() {
        HistoryBuffer buffer = buffer(3);
        for (int i = 0; i < 5; i++) {
            append(buffer);
        }

        HistoryPage page = buffer.read(at(1), 10, clock.millis());

        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(page)).isEqualTo(range(3, 5));
        assertThat(page.resetPosition()).isEqualTo(at(2));
    }

    @Test
    void cursorOfAnotherEpochIsStreamRestarted() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);

        HistoryPage page = buffer.read(new StreamPosition("other", 1), 10, clock.millis());

        assertThat(page.gap()).isEqualTo(GapReason.STREAM_RESTARTED);
        assertThat(offsets(page)).containsExactly(1L, 2L);
        assertThat(page.resetPosition()).isEqualTo(at(0));
    }

    @Test
    void cursorBeyondTheTopIsCursorAhead() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);

        HistoryPage page = buffer.read(at(3), 10, clock.millis());

        assertThat(page.gap()).isEqualTo(GapReason.CURSOR_AHEAD);
        assertThat(offsets(page)).containsExactly(1L, 2L);
        assertThat(page.top()).isEqualTo(at(2));
    }

    @Test
    void cursorAheadOfAnEmptyChannelIsCursorAheadAndResetsToTheTop() {
        HistoryBuffer buffer = buffer(10);

        HistoryPage page = buffer.read(at(7), 10, clock.millis());

        assertThat(page.gap()).isEqualTo(GapReason.CURSOR_AHEAD);
        assertThat(page.messages()).isEmpty();
        assertThat(page.resetPosition()).isEqualTo(at(0));
    }

    @Test
    void cursorOlderThanEverythingTrimmedByAgeIsHistoryTrimmedAndResetsToTheTop() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);
        clock.advance(Duration.ofMinutes(1));
        buffer.trimByAge(clock.millis());

        HistoryPage page = buffer.read(at(1), 10, clock.millis());

        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(page.messages()).isEmpty();
        assertThat(page.resetPosition()).isEqualTo(at(2));
        assertThat(page.next(at(1))).isEqualTo(at(2));
    }

    @Test
    void limitCutsThePageShortAndSaysMoreFollow() {
        HistoryBuffer buffer = buffer(10);
        for (int i = 0; i < 5; i++) {
            append(buffer);
        }

        HistoryPage first = buffer.read(at(0), 2, clock.millis());
        HistoryPage second = buffer.read(first.next(at(0)), 2, clock.millis());
        HistoryPage last = buffer.read(second.next(first.next(at(0))), 2, clock.millis());

        assertThat(offsets(first)).containsExactly(1L, 2L);
        assertThat(first.more()).isTrue();
        assertThat(offsets(second)).containsExactly(3L, 4L);
        assertThat(second.more()).isTrue();
        assertThat(offsets(last)).containsExactly(5L);
        assertThat(last.more()).isFalse();
    }

    @Test
    void limitExactlyMatchingWhatIsLeftSaysNoMore() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);

        HistoryPage page = buffer.read(at(0), 2, clock.millis());

        assertThat(page.more()).isFalse();
    }

    @Test
    void limitZeroReturnsOnlyTheTop() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        append(buffer);

        HistoryPage page = buffer.read(null, 0, clock.millis());

        assertThat(page.messages()).isEmpty();
        assertThat(page.top()).isEqualTo(at(2));
        assertThat(page.more()).isTrue();
    }

    @Test
    void readsAcrossTheRingsWrapAround() {
        HistoryBuffer buffer = buffer(4);
        for (int i = 0; i < 11; i++) {
            append(buffer);
        }

        assertThat(offsets(buffer.read(at(8), 10, clock.millis()))).containsExactly(9L, 10L, 11L);
        assertThat(offsets(buffer.read(at(7), 2, clock.millis()))).containsExactly(8L, 9L);
    }

    @Test
    void skippedMessageConsumesAnOffsetAndShowsAsAGap() {
        HistoryBuffer buffer = buffer(10);
        append(buffer);
        // The broker skips only after giving up every retained message, so the run [oldest, top] stays contiguous.
        buffer.trimToBytes(0);
        buffer.skip(message(buffer.nextPosition(), clock, 4), clock.millis());
        append(buffer);

        HistoryPage page = buffer.read(at(1), 10, clock.millis());

        assertThat(buffer.top()).isEqualTo(at(3));
        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(page)).containsExactly(3L);
        assertThat(page.resetPosition()).isEqualTo(at(2));
        assertThat(buffer.read(at(2), 10, clock.millis()).gap()).isNull();
    }

    @Test
    void isIdleOnlyWithoutInterestOrMessagesAfterTheIdleTime() {
        HistoryBuffer buffer = buffer(10);
        long idle = Duration.ofMinutes(5).toMillis();

        assertThat(buffer.idle(clock.millis(), idle)).isFalse();
        clock.advance(Duration.ofMinutes(5));
        assertThat(buffer.idle(clock.millis(), idle)).isTrue();

        buffer.addInterest();
        assertThat(buffer.idle(clock.millis(), idle)).isFalse();
        buffer.removeInterest();
        append(buffer);
        clock.advance(Duration.ofMinutes(5));
        assertThat(buffer.idle(clock.millis(), idle)).isFalse();
    }

    @Test
    void readCountsAsActivity() {
        HistoryBuffer buffer = buffer(10);
        long idle = Duration.ofMinutes(5).toMillis();
        clock.advance(Duration.ofMinutes(4));

        buffer.read(null, 0, clock.millis());
        clock.advance(Duration.ofMinutes(4));

        assertThat(buffer.idle(clock.millis(), idle)).isFalse();
    }
}
