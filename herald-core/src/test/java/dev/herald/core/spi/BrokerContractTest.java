package dev.herald.core.spi;

import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.HistoryPage;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link Broker} (with its {@link History}) must show, whatever keeps the messages — the shared
 * suite of Centrifuge's {@code map_broker_shared_test.go}. An implementation's test extends this class and says how
 * to make a broker; {@code InMemoryBrokerContractTest} does it for the in-memory broker, and a Redis broker's
 * integration test runs the same suite against a real redis-server. herald-core publishes it in its test-jar.
 *
 * <p>Every test uses channel names unique to the test instance, so a broker backed by a shared server (one Redis
 * for the whole suite) needs no flushing between tests. Deliveries are awaited with deadlines, since a broker may
 * deliver on its own I/O thread. To show a message was <em>not</em> delivered, a test publishes a "fence" message
 * to a subscribed channel afterwards and waits for it: a broker delivers one node's messages in publish order.
 *
 * @param <B> the broker under test
 */
public abstract class BrokerContractTest<B extends Broker & History> {

    /** How long a test waits for a future or a delivery; only a failing test waits this long. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** History size for tests that do not test trimming: larger than anything they publish. */
    private static final int ROOMY = 100;

    private final String namespace = "t" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private final List<B> brokers = new ArrayList<>();

    /**
     * Makes a new, <em>not yet started</em> broker that keeps at most {@code historySize} messages per channel
     * (exactly: trimming by count drops the oldest as soon as there are more) and whose other bounds (age, bytes,
     * channel count) are far beyond what these tests publish. The suite starts it with its own listener and closes
     * it after the test.
     */
    protected abstract B newBroker(int historySize);

    @AfterEach
    void closeBrokers() {
        for (B broker : brokers) {
            broker.close();
        }
    }

    /** A new broker, started with {@code listener}. */
    protected final B started(int historySize, BrokerListener listener) {
        B broker = newBroker(historySize);
        brokers.add(broker);
        broker.start(listener);
        return broker;
    }

    /** A channel whose name is unique to this test. */
    protected final ChannelId channel(String name) {
        return ChannelId.of(namespace + ":" + name);
    }

    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static StreamPosition publish(Broker broker, ChannelId channel, String text) {
        return await(broker.publish(channel, Payload.text(text), PublishOptions.DEFAULT));
    }

    private static List<StreamPosition> publishAll(Broker broker, ChannelId channel, int count) {
        List<StreamPosition> positions = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            positions.add(publish(broker, channel, "m" + i));
        }
        return positions;
    }

    private static List<Long> offsets(List<Message> messages) {
        return messages.stream().map(Message::offset).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static String otherEpoch(String epoch) {
        return epoch.equals("otherepoch") ? "anotherepoch" : "otherepoch";
    }

    /** Publishes to a subscribed fence channel and waits for it, so everything published before has arrived. */
    private void fence(B broker, RecordingListener listener, int expected) {
        ChannelId fence = channel("fence");
        publish(broker, fence, "fence");
        listener.awaitMessages(fence, expected, TIMEOUT);
    }

    // ---- publish ----

    @Test
    public void publishReturnsConsecutiveOffsetsInOneEpochStartingAtOne() {
        B broker = started(ROOMY, new RecordingListener());

        List<StreamPosition> positions = publishAll(broker, channel("a"), 5);

        assertThat(positions).extracting(StreamPosition::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(positions).extracting(StreamPosition::epoch).containsOnly(positions.get(0).epoch());
    }

    @Test
    public void channelsCountOffsetsIndependently() {
        B broker = started(ROOMY, new RecordingListener());
        publishAll(broker, channel("a"), 3);

        StreamPosition first = publish(broker, channel("b"), "first of b");

        assertThat(first.offset()).isEqualTo(1);
    }

    @Test
    public void concurrentPublishersOnOneChannelGetDistinctConsecutiveOffsetsDeliveredInOrder() throws Exception {
        RecordingListener listener = new RecordingListener();
        B broker = started(ROOMY, listener);
        ChannelId channel = channel("busy");
        await(broker.subscribe(channel));
        int threads = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<StreamPosition>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return publishAll(broker, channel, each);
                }));
            }
            go.countDown();
            List<Long> offsets = new ArrayList<>();
            for (Future<List<StreamPosition>> result : results) {
                result.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).forEach(p -> offsets.add(p.offset()));
            }

            assertThat(offsets).containsExactlyInAnyOrderElementsOf(range(1, threads * each));
            assertThat(offsets(listener.awaitMessages(channel, threads * each, TIMEOUT)))
                    .isEqualTo(range(1, threads * each));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- history ----

    @Test
    public void readReturnsMessagesStrictlyAfterThePositionAsPublished() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        publish(broker, channel, "one");
        StreamPosition second = publish(broker, channel, "two");
        StreamPosition third = await(broker.publish(channel, Payload.binary(new byte[] {0, -1}),
                PublishOptions.event("bytes")));

        HistoryPage page = await(broker.read(channel, second.at(1), 10));

        assertThat(page.gap()).isNull();
        assertThat(page.more()).isFalse();
        assertThat(page.top()).isEqualTo(third);
        assertThat(page.messages()).hasSize(2);
        Message two = page.messages().get(0);
        assertThat(two.channel()).isEqualTo(channel);
        assertThat(two.position()).isEqualTo(second);
        assertThat(two.payload()).isEqualTo(Payload.text("two"));
        assertThat(two.event()).isNull();
        Message bytes = page.messages().get(1);
        assertThat(bytes.position()).isEqualTo(third);
        assertThat(bytes.payload()).isEqualTo(Payload.binary(new byte[] {0, -1}));
        assertThat(bytes.event()).isEqualTo("bytes");
        assertThat(bytes.ephemeral()).isFalse();
    }

    @Test
    public void readAtTheTopIsEmptyWithoutGap() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        StreamPosition top = publishAll(broker, channel, 3).get(2);

        HistoryPage page = await(broker.read(channel, top, 10));

        assertThat(page.messages()).isEmpty();
        assertThat(page.gap()).isNull();
        assertThat(page.top()).isEqualTo(top);
    }

    @Test
    public void readFromNullReturnsEveryRetainedMessageWithoutGap() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        publishAll(broker, channel, 3);

        HistoryPage page = await(broker.read(channel, null, 10));

        assertThat(offsets(page.messages())).containsExactly(1L, 2L, 3L);
        assertThat(page.gap()).isNull();
    }

    @Test
    public void readWithLimitReturnsTheOldestFirstAndSaysMoreFollow() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        StreamPosition first = publishAll(broker, channel, 5).get(0);
        StreamPosition start = first.at(0);

        HistoryPage page = await(broker.read(channel, start, 2));
        HistoryPage rest = await(broker.read(channel, page.next(start), 10));

        assertThat(offsets(page.messages())).containsExactly(1L, 2L);
        assertThat(page.more()).isTrue();
        assertThat(offsets(rest.messages())).containsExactly(3L, 4L, 5L);
        assertThat(rest.more()).isFalse();
    }

    @Test
    public void readWithLimitZeroReturnsOnlyTheTop() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        StreamPosition top = publishAll(broker, channel, 3).get(2);

        HistoryPage page = await(broker.read(channel, null, 0));

        assertThat(page.messages()).isEmpty();
        assertThat(page.top()).isEqualTo(top);
    }

    @Test
    public void channelNeverPublishedToIsEmptyAtOffsetZero() {
        B broker = started(ROOMY, new RecordingListener());

        HistoryPage page = await(broker.read(channel("silent"), null, 10));

        assertThat(page.messages()).isEmpty();
        assertThat(page.gap()).isNull();
        assertThat(page.top().offset()).isZero();
    }

    @Test
    public void cursorOfAnotherEpochIsStreamRestartedAndServesFromTheOldestRetained() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        StreamPosition top = publishAll(broker, channel, 3).get(2);
        StreamPosition stale = new StreamPosition(otherEpoch(top.epoch()), 2);

        HistoryPage page = await(broker.read(channel, stale, 10));

        assertThat(page.gap()).isEqualTo(GapReason.STREAM_RESTARTED);
        assertThat(offsets(page.messages())).containsExactly(1L, 2L, 3L);
        assertThat(page.resetPosition()).isEqualTo(top.at(0));
    }

    @Test
    public void cursorAheadOfTheTopIsCursorAhead() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        StreamPosition top = publishAll(broker, channel, 3).get(2);

        HistoryPage page = await(broker.read(channel, top.at(4), 10));

        assertThat(page.gap()).isEqualTo(GapReason.CURSOR_AHEAD);
        assertThat(offsets(page.messages())).containsExactly(1L, 2L, 3L);
        assertThat(page.top()).isEqualTo(top);
    }

    @Test
    public void trimmingByCountYieldsHistoryTrimmedForAnOldCursor() {
        B broker = started(3, new RecordingListener());
        ChannelId channel = channel("a");
        StreamPosition top = publishAll(broker, channel, 6).get(5);

        HistoryPage old = await(broker.read(channel, top.at(1), 10));
        HistoryPage recent = await(broker.read(channel, top.at(3), 10));

        assertThat(old.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(old.messages())).containsExactly(4L, 5L, 6L);
        assertThat(old.resetPosition()).isEqualTo(top.at(3));
        assertThat(recent.gap()).isNull();
        assertThat(offsets(recent.messages())).containsExactly(4L, 5L, 6L);
    }

    // ---- fan-in to the listener ----

    @Test
    public void listenerReceivesASubscribedChannelsMessagesInOffsetOrder() {
        RecordingListener listener = new RecordingListener();
        B broker = started(ROOMY, listener);
        ChannelId channel = channel("a");
        await(broker.subscribe(channel));

        List<StreamPosition> published = publishAll(broker, channel, 50);

        List<Message> received = listener.awaitMessages(channel, 50, TIMEOUT);
        assertThat(received).extracting(Message::position).isEqualTo(published);
        assertThat(received.get(0).payload()).isEqualTo(Payload.text("m1"));
    }

    @Test
    public void listenerDoesNotReceiveChannelsNotSubscribed() {
        RecordingListener listener = new RecordingListener();
        B broker = started(ROOMY, listener);
        await(broker.subscribe(channel("fence")));
        ChannelId other = channel("other");

        publishAll(broker, other, 3);
        fence(broker, listener, 1);

        assertThat(listener.messages(other)).isEmpty();
    }

    @Test
    public void interestIsCountedSoOneUnsubscribeOfTwoKeepsDelivering() {
        RecordingListener listener = new RecordingListener();
        B broker = started(ROOMY, listener);
        await(broker.subscribe(channel("fence")));
        ChannelId channel = channel("a");
        await(broker.subscribe(channel));
        await(broker.subscribe(channel));

        await(broker.unsubscribe(channel));
        publish(broker, channel, "still wanted");

        assertThat(listener.awaitMessages(channel, 1, TIMEOUT)).hasSize(1);

        await(broker.unsubscribe(channel));
        publish(broker, channel, "nobody listens");
        fence(broker, listener, 1);

        assertThat(offsets(listener.messages(channel))).containsExactly(1L);
    }

    @Test
    public void ephemeralMessageIsDeliveredButNeverStoredAndConsumesNoOffset() {
        RecordingListener listener = new RecordingListener();
        B broker = started(ROOMY, listener);
        ChannelId channel = channel("typing");
        await(broker.subscribe(channel));
        StreamPosition before = publish(broker, channel, "durable");

        StreamPosition ephemeral = await(broker.publish(channel, Payload.text("is typing"),
                new PublishOptions("typing", true)));
        StreamPosition after = publish(broker, channel, "durable again");

        assertThat(ephemeral).isEqualTo(before);
        assertThat(after).isEqualTo(before.at(before.offset() + 1));
        List<Message> received = listener.awaitMessages(channel, 3, TIMEOUT);
        assertThat(received.get(1).ephemeral()).isTrue();
        assertThat(received.get(1).payload()).isEqualTo(Payload.text("is typing"));
        assertThat(received.get(1).event()).isEqualTo("typing");
        HistoryPage history = await(broker.read(channel, null, 10));
        assertThat(history.messages()).extracting(m -> m.payload().asText())
                .containsExactly("durable", "durable again");
        assertThat(history.messages()).noneMatch(Message::ephemeral);
    }

    // ---- lifecycle ----

    @Test
    public void closedBrokerAnswersWithFailedFuturesInsteadOfHanging() {
        B broker = started(ROOMY, new RecordingListener());
        ChannelId channel = channel("a");
        publish(broker, channel, "before close");

        broker.close();
        broker.close();   // idempotent

        assertThat(broker.publish(channel, Payload.text("after close"), PublishOptions.DEFAULT)).failsWithin(TIMEOUT);
        assertThat(broker.subscribe(channel)).failsWithin(TIMEOUT);
        assertThat(broker.read(channel, null, 10)).failsWithin(TIMEOUT);
        assertThat(broker.unsubscribe(channel).handle((ok, failure) -> "settled")).succeedsWithin(TIMEOUT);
    }
}
