package dev.herald.core.memory;

import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.HistoryPage;
import dev.herald.core.ManualClock;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import dev.herald.core.spi.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class InMemoryBrokerTest {

    /** Bytes a message with a {@link #PAYLOAD}-byte payload retains: {@link Message#retainedSize()}. */
    private static final int SIZE = 200;
    private static final int PAYLOAD = SIZE - 96;

    private static final ChannelId A = ChannelId.of("a");
    private static final ChannelId B = ChannelId.of("b");
    private static final ChannelId C = ChannelId.of("c");

    private final ManualClock clock = new ManualClock();
    private final RecordingListener listener = new RecordingListener();
    private InMemoryBroker broker = InMemoryBroker.create();

    @AfterEach
    void close() {
        broker.close();
    }

    private InMemoryBroker start(InMemoryBroker.Builder builder) {
        broker = builder.clock(clock).build();
        broker.start(listener);
        return broker;
    }

    private static <T> T done(CompletableFuture<T> future) {
        assertThat(future).isDone();
        return future.join();
    }

    private StreamPosition publish(ChannelId channel) {
        return done(broker.publish(channel, Payload.binary(new byte[PAYLOAD]), PublishOptions.DEFAULT));
    }

    private HistoryPage read(ChannelId channel, StreamPosition since) {
        return done(broker.read(channel, since, 100));
    }

    private static List<Long> offsets(HistoryPage page) {
        return page.messages().stream().map(Message::offset).toList();
    }

    // ---- node-wide byte budget ----

    @Test
    void publishingChannelGivesUpItsOwnOldestFirstWhenTheNodeBudgetIsFull() {
        start(InMemoryBroker.builder().maxTotalBytes(3 * SIZE));
        publish(A);
        StreamPosition a2 = publish(A);
        StreamPosition b1 = publish(B);

        StreamPosition a3 = publish(A);

        assertThat(offsets(read(A, a2.at(1)))).containsExactly(2L, 3L);
        assertThat(read(A, a2.at(0)).gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(read(B, b1.at(0)).gap()).isNull();
        assertThat(offsets(read(B, b1.at(0)))).containsExactly(1L);
        assertThat(a3.offset()).isEqualTo(3);
        assertThat(broker.retainedBytes()).isEqualTo(3 * SIZE);
    }

    @Test
    void messageThatDoesNotFitTheNodeBudgetIsDeliveredLiveButSkippedSoReadersSeeAGap() {
        start(InMemoryBroker.builder().maxTotalBytes(3 * SIZE));
        done(broker.subscribe(C));
        publish(A);
        publish(A);
        publish(B);

        StreamPosition c1 = publish(C);

        assertThat(c1.offset()).isEqualTo(1);
        assertThat(listener.offsets(C)).containsExactly(1L);
        HistoryPage page = read(C, c1.at(0));
        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(page.messages()).isEmpty();
        assertThat(page.resetPosition()).isEqualTo(c1);
        assertThat(offsets(read(A, null))).containsExactly(1L, 2L);
        assertThat(broker.retainedBytes()).isEqualTo(3 * SIZE);
    }

    @Test
    void messageLargerThanTheChannelByteBudgetIsSkippedAndEmptiesTheChannelsHistory() {
        start(InMemoryBroker.builder().historyBytes(3 * SIZE));
        StreamPosition a1 = publish(A);

        StreamPosition big = done(broker.publish(A, Payload.binary(new byte[3 * SIZE]), PublishOptions.DEFAULT));
        StreamPosition a3 = publish(A);

        assertThat(big.offset()).isEqualTo(2);
        HistoryPage page = read(A, a1);
        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(page)).containsExactly(3L);
        assertThat(page.resetPosition()).isEqualTo(big);
        assertThat(read(A, big).gap()).isNull();
        assertThat(broker.retainedBytes()).isEqualTo(SIZE);
        assertThat(a3.offset()).isEqualTo(3);
    }

    @Test
    void trimsEachChannelToItsByteBudget() {
        start(InMemoryBroker.builder().historyBytes(2 * SIZE));

        for (int i = 0; i < 5; i++) {
            publish(A);
        }

        assertThat(offsets(read(A, null))).containsExactly(4L, 5L);
        assertThat(broker.retainedBytes()).isEqualTo(2 * SIZE);
    }

    @Test
    void evictionByCountReleasesItsBytesFromTheNodeBudget() {
        start(InMemoryBroker.builder().historySize(2));

        for (int i = 0; i < 5; i++) {
            publish(A);
        }

        assertThat(broker.retainedBytes()).isEqualTo(2 * SIZE);
    }

    // ---- age ----

    @Test
    void readDropsMessagesOlderThanTheHistoryAge() {
        start(InMemoryBroker.builder().historyAge(Duration.ofMinutes(10)));
        StreamPosition a1 = publish(A);
        clock.advance(Duration.ofMinutes(6));
        publish(A);
        clock.advance(Duration.ofMinutes(5));

        HistoryPage page = read(A, a1.at(0));

        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(page)).containsExactly(2L);
        assertThat(broker.retainedBytes()).isEqualTo(SIZE);
    }

    @Test
    void stampsMessagesWithTheInjectedClock() {
        start(InMemoryBroker.builder());
        done(broker.subscribe(A));
        clock.advance(Duration.ofMillis(1234));

        publish(A);

        assertThat(listener.messages(A).get(0).publishedAtMillis()).isEqualTo(clock.millis());
    }

    // ---- channel count and sweeping ----

    @Test
    void refusesNewChannelsBeyondMaxChannelsWithUnavailable() {
        start(InMemoryBroker.builder().maxChannels(2));
        publish(A);
        publish(B);

        assertThat(broker.publish(C, Payload.text("x"), PublishOptions.DEFAULT)).isCompletedExceptionally();
        assertThat(broker.publish(C, Payload.text("x"), PublishOptions.DEFAULT).exceptionNow())
                .isInstanceOf(HeraldUnavailableException.class)
                .hasMessage("channel limit reached: this node holds at most 2 channels");
        assertThat(broker.subscribe(C).exceptionNow()).isInstanceOf(HeraldUnavailableException.class);
        assertThat(broker.read(C, null, 10).exceptionNow()).isInstanceOf(HeraldUnavailableException.class);
        assertThat(publish(A).offset()).isEqualTo(2);
        assertThat(broker.channelCount()).isEqualTo(2);
    }

    @Test
    void atTheChannelLimitForgetsChannelsThatOnlyReadsCreatedToMakeRoom() {
        start(InMemoryBroker.builder().maxChannels(2));
        done(broker.read(A, null, 0));   // a reader naming channels that nobody uses
        done(broker.read(B, null, 0));

        assertThat(publish(C).offset()).isEqualTo(1);
        assertThat(broker.channelCount()).isEqualTo(1);
    }

    @Test
    void atTheChannelLimitKeepsSubscribedChannelsAndRefuses() {
        start(InMemoryBroker.builder().maxChannels(2));
        done(broker.subscribe(A));
        done(broker.subscribe(B));

        assertThat(broker.publish(C, Payload.text("x"), PublishOptions.DEFAULT).exceptionNow())
                .isInstanceOf(HeraldUnavailableException.class);
        assertThat(broker.channelCount()).isEqualTo(2);
    }

    @Test
    void sweepForgetsIdleChannelsAndARecreatedChannelGetsANewEpoch() {
        start(InMemoryBroker.builder().historyAge(Duration.ofMinutes(10)));
        StreamPosition before = publish(A);
        clock.advance(Duration.ofMinutes(10).plusMillis(1));   // strictly older than the age

        broker.sweep();

        assertThat(broker.channelCount()).isZero();
        assertThat(broker.retainedBytes()).isZero();
        StreamPosition after = publish(A);
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(after.offset()).isEqualTo(1);
        HistoryPage page = read(A, before);
        assertThat(page.gap()).isEqualTo(GapReason.STREAM_RESTARTED);
        assertThat(offsets(page)).containsExactly(1L);
        assertThat(page.resetPosition()).isEqualTo(after.at(0));
    }

    @Test
    void sweepFreesTheSlotOfAForgottenChannel() {
        start(InMemoryBroker.builder().maxChannels(1).historyAge(Duration.ofMinutes(10)));
        publish(A);
        assertThat(broker.publish(B, Payload.text("x"), PublishOptions.DEFAULT)).isCompletedExceptionally();
        clock.advance(Duration.ofMinutes(10).plusMillis(1));   // strictly older than the age

        broker.sweep();

        assertThat(publish(B).offset()).isEqualTo(1);
    }

    @Test
    void sweepKeepsChannelsThatAreSubscribedRetainMessagesOrWereRecentlyActive() {
        start(InMemoryBroker.builder().historyAge(Duration.ofMinutes(10)));
        done(broker.subscribe(A));
        clock.advance(Duration.ofMinutes(5));
        publish(B);
        done(broker.read(C, null, 0));
        clock.advance(Duration.ofMinutes(9));

        broker.sweep();

        assertThat(broker.channelCount()).isEqualTo(3);
        assertThat(offsets(read(B, null))).containsExactly(1L);
    }

    @Test
    void sweepForgetsAChannelOnceItsLastSubscriberLeft() {
        start(InMemoryBroker.builder().historyAge(Duration.ofMinutes(10)));
        done(broker.subscribe(A));
        done(broker.subscribe(A));
        done(broker.unsubscribe(A));
        clock.advance(Duration.ofMinutes(10));
        broker.sweep();
        assertThat(broker.channelCount()).isEqualTo(1);

        done(broker.unsubscribe(A));
        broker.sweep();

        assertThat(broker.channelCount()).isZero();
    }

    // ---- ephemeral ----

    @Test
    void ephemeralMessagesAreDeliveredButNeverStoredAndConsumeNoOffset() {
        start(InMemoryBroker.builder());
        done(broker.subscribe(A));

        StreamPosition typing = done(broker.publish(A, Payload.text("typing"), new PublishOptions(null, true)));
        StreamPosition a1 = publish(A);

        assertThat(typing.offset()).isZero();
        assertThat(a1.offset()).isEqualTo(1);
        assertThat(listener.messages(A)).extracting(Message::ephemeral).containsExactly(true, false);
        assertThat(offsets(read(A, null))).containsExactly(1L);
        assertThat(broker.retainedBytes()).isEqualTo(SIZE);
    }

    // ---- lifecycle and arguments ----

    @Test
    void startsOnlyOnce() {
        start(InMemoryBroker.builder());

        assertThatIllegalStateException().isThrownBy(() -> broker.start(listener)).withMessage("already started");
    }

    @Test
    void publishBeforeStartFailsTheFuture() {
        assertThat(broker.publish(A, Payload.text("x"), PublishOptions.DEFAULT).exceptionNow())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("broker not started");
    }

    @Test
    void afterCloseEveryOperationFailsAndNothingIsRetained() {
        start(InMemoryBroker.builder());
        publish(A);

        broker.close();

        assertThat(broker.publish(A, Payload.text("x"), PublishOptions.DEFAULT).exceptionNow())
                .hasMessage("broker is closed");
        assertThat(broker.read(A, null, 1)).isCompletedExceptionally();
        assertThat(broker.subscribe(A)).isCompletedExceptionally();
        assertThat(broker.retainedBytes()).isZero();
        assertThat(broker.channelCount()).isZero();
    }

    @Test
    void negativeReadLimitFailsTheFuture() {
        start(InMemoryBroker.builder());

        assertThat(broker.read(A, null, -1).exceptionNow())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must not be negative: -1");
    }

    @Test
    void builderRejectsNonsensicalBoundsNamingThem() {
        InMemoryBroker.Builder builder = InMemoryBroker.builder();

        assertThatIllegalArgumentException().isThrownBy(() -> builder.historySize(-1))
                .withMessage("history size must not be negative: -1");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.historyAge(Duration.ZERO))
                .withMessage("history age must be positive: PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.historyBytes(-1))
                .withMessage("history bytes must not be negative: -1");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.maxTotalBytes(-1))
                .withMessage("max total bytes must not be negative: -1");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.maxChannels(0))
                .withMessage("max channels must be at least 1: 0");
    }
}
