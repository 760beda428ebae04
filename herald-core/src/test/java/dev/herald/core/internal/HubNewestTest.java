package dev.herald.core.internal;

import dev.herald.core.ChannelId;
import dev.herald.core.ControlledBroker;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.RecordingSubscriber;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscription at the newest position the hub knows of a channel (a long poll coming back with its answer's
 * cursor, or polling again on a quiet channel) goes live without reading history, and still misses nothing: see
 * "Resuming at the newest" in {@link Hub}. History reads are held in these tests, so a subscription that needed one
 * would not start.
 */
class HubNewestTest {

    private static final ChannelId CHANNEL = ChannelId.of("news");

    private final ControlledBroker broker = new ControlledBroker();
    private final Hub hub = new Hub(broker, broker, 100, 100);

    {
        broker.start(hub);
    }

    @AfterEach
    void close() {
        broker.close();
    }

    private StreamPosition publish(String text) {
        return broker.publish(CHANNEL, Payload.text(text), PublishOptions.DEFAULT).join();
    }

    private Subscription subscribe(@Nullable StreamPosition since, RecordingSubscriber subscriber) throws Exception {
        return hub.subscribe(CHANNEL, since, subscriber).get(10, TimeUnit.SECONDS);
    }

    /** {@code started} waits for a history read: it starts only once the held read is released. */
    private void assertWaitsForARead(CompletableFuture<Subscription> started) {
        assertThat(started).isNotDone();
        assertThat(broker.heldReads()).isEqualTo(1);
        broker.releaseReads();
        assertThat(started).succeedsWithin(10, TimeUnit.SECONDS);
    }

    /** A subscription that stays open, so the channel is known to the hub and messages are fanned out. */
    private RecordingSubscriber watcher() throws Exception {
        RecordingSubscriber watcher = new RecordingSubscriber("watcher");
        subscribe(null, watcher);
        return watcher;
    }

    @Test
    void aSubscriptionAtTheNewestFannedOutPositionStartsWithoutReadingHistory() throws Exception {
        RecordingSubscriber watcher = watcher();
        StreamPosition one = publish("one");
        watcher.takeMessage();
        broker.holdReads();

        RecordingSubscriber poll = new RecordingSubscriber("poll");
        CompletableFuture<Subscription> started = hub.subscribe(CHANNEL, one, poll);

        assertThat(started).isCompleted();
        assertThat(broker.heldReads()).isZero();
        assertThat(started.join().start()).isEqualTo(one);
        publish("two");
        assertThat(poll.takeMessage().payload().asText()).isEqualTo("two");
        poll.assertExhausted();
    }

    @Test
    void aLiveOnlySubscriptionStartsAtTheNewestFannedOutPositionWithoutReadingHistory() throws Exception {
        RecordingSubscriber watcher = watcher();
        publish("one");
        StreamPosition two = publish("two");
        watcher.awaitMessages(2);
        broker.holdReads();

        CompletableFuture<Subscription> started = hub.subscribe(CHANNEL, null, new RecordingSubscriber());

        assertThat(started).isCompleted();
        assertThat(started.join().start()).isEqualTo(two);
    }

    @Test
    void aSubscriptionBehindTheNewestStillReadsHistory() throws Exception {
        RecordingSubscriber watcher = watcher();
        StreamPosition one = publish("one");
        publish("two");
        watcher.awaitMessages(2);
        broker.holdReads();

        RecordingSubscriber poll = new RecordingSubscriber("poll");
        CompletableFuture<Subscription> started = hub.subscribe(CHANNEL, one, poll);

        assertWaitsForARead(started);
        assertThat(poll.takeMessage().payload().asText()).isEqualTo("two");
        poll.assertExhausted();
    }

    @Test
    void theTopAFirstReadFoundLetsTheNextSubscriptionAtItStartWithoutReading() throws Exception {
        StreamPosition one = publish("one");
        StreamPosition two = publish("two");
        RecordingSubscriber first = new RecordingSubscriber("first");
        subscribe(one, first);
        assertThat(first.takeMessage().payload().asText()).isEqualTo("two");
        broker.holdReads();

        RecordingSubscriber again = new RecordingSubscriber("again");
        CompletableFuture<Subscription> started = hub.subscribe(CHANNEL, two, again);

        assertThat(started).isCompleted();
        assertThat(broker.heldReads()).isZero();
        publish("three");
        assertThat(again.takeMessage().payload().asText()).isEqualTo("three");
        again.assertExhausted();
    }

    @Test
    void aReadBySubscriptionRegisteredBeforeAnInterruptionWasReportedIsNotRecorded() throws Exception {
        StreamPosition one = publish("one");
        broker.holdReads();
        CompletableFuture<Subscription> first = hub.subscribe(CHANNEL, null, new RecordingSubscriber("first"));
        broker.interruptDelivery(CHANNEL);   // the held read may predate what the interruption lost
        broker.releaseReads();
        assertThat(first).succeedsWithin(10, TimeUnit.SECONDS);
        broker.holdReads();

        CompletableFuture<Subscription> second = hub.subscribe(CHANNEL, one, new RecordingSubscriber("second"));

        assertWaitsForARead(second);
    }

    @Test
    void aChannelNotYetFannedOutToNorReadIsReadFromHistory() throws Exception {
        StreamPosition one = publish("before anyone subscribed");
        broker.holdReads();

        CompletableFuture<Subscription> started = hub.subscribe(CHANNEL, one, new RecordingSubscriber());

        assertWaitsForARead(started);
    }

    /**
     * With a watcher live, publishes "one", then a message that is stored but never fanned out, as if delivery
     * broke; returns the position of "one", the newest the hub saw.
     */
    private StreamPosition oneThenAMessageNeverFannedOut(RecordingSubscriber watcher) {
        StreamPosition one = publish("one");
        watcher.takeMessage();
        broker.lose(message -> true);
        publish("published while delivery was broken");
        broker.lose(message -> false);
        return one;
    }

    @Test
    void afterAnInterruptionASubscriptionAtTheNewestReadsWhatWasNeverFannedOut() throws Exception {
        RecordingSubscriber watcher = watcher();
        StreamPosition one = oneThenAMessageNeverFannedOut(watcher);
        broker.interruptDelivery(CHANNEL);
        watcher.takeMessage();

        RecordingSubscriber poll = new RecordingSubscriber("poll");
        subscribe(one, poll);

        assertThat(poll.takeMessage().payload().asText()).isEqualTo("published while delivery was broken");
        poll.assertExhausted();
    }

    @Test
    void aSubscriptionThatStartedAtTheNewestBeforeAnInterruptionWasReportedCatchesUpWithTheRest() throws Exception {
        StreamPosition one = oneThenAMessageNeverFannedOut(watcher());

        RecordingSubscriber poll = new RecordingSubscriber("poll");
        subscribe(one, poll);
        broker.interruptDelivery(CHANNEL);

        assertThat(poll.takeMessage().payload().asText()).isEqualTo("published while delivery was broken");
        poll.assertExhausted();
    }

    /**
     * Long polls racing the publisher: each poller takes the next message, closes and subscribes again at that
     * message's position while the publisher, which waits only until every poller has taken a message, already
     * publishes the next. A subscription that started at the newest position but was missed by the fan-out in
     * progress would wait for a message that never comes, and fail at its deadline.
     */
    @Test
    void pollersResubscribingWhileTheNextMessageIsFannedOutMissNothing() throws Exception {
        int pollers = 4;
        int messages = 2_000;
        RecordingSubscriber watcher = watcher();
        StreamPosition first = publish("0");
        watcher.takeMessage();
        Semaphore taken = new Semaphore(0);
        ExecutorService threads = Executors.newFixedThreadPool(pollers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int p = 0; p < pollers; p++) {
                results.add(threads.submit(() -> {
                    StreamPosition cursor = first;
                    int received = 0;
                    while (cursor.offset() < first.offset() + messages) {
                        RecordingSubscriber poll = new RecordingSubscriber("poll at " + cursor);
                        Subscription subscription = subscribe(cursor, poll);
                        Message next = poll.takeMessage();
                        subscription.close();
                        assertThat(next.offset()).isEqualTo(cursor.offset() + 1);
                        cursor = next.position();
                        received++;
                        taken.release();
                    }
                    return received;
                }));
            }
            for (int i = 1; i <= messages; i++) {
                publish(Integer.toString(i));
                assertThat(taken.tryAcquire(pollers, 10, TimeUnit.SECONDS))
                        .as("every poller took message %d", i).isTrue();
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(messages);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
