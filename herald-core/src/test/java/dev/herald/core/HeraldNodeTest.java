package dev.herald.core;

import dev.herald.core.memory.InMemoryBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HeraldNodeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ChannelId ROOM = ChannelId.of("room");
    private static final ChannelId LOBBY = ChannelId.of("lobby");

    private final List<RecordingSubscriber> recorders = new ArrayList<>();
    private final List<HeraldNode> nodes = new ArrayList<>();

    @AfterEach
    void everyEventWasLookedAt() {
        nodes.forEach(HeraldNode::close);
        recorders.forEach(RecordingSubscriber::assertExhausted);
    }

    private HeraldNode node(HeraldNode.Builder builder) {
        HeraldNode node = builder.build();
        nodes.add(node);
        return node;
    }

    private HeraldNode node() {
        return node(HeraldNode.builder());
    }

    private RecordingSubscriber recorder(String name) {
        return track(new RecordingSubscriber(name));
    }

    private RecordingSubscriber track(RecordingSubscriber recorder) {
        recorders.add(recorder);
        return recorder;
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static StreamPosition publish(HeraldNode node, ChannelId channel, String text) {
        return await(node.publish(channel, Payload.text(text), PublishOptions.DEFAULT));
    }

    /** Publishes {@code count} (at least one) messages; returns the last one's position. */
    private static StreamPosition publishAll(HeraldNode node, ChannelId channel, int count) {
        StreamPosition last = null;
        for (int i = 0; i < count; i++) {
            last = publish(node, channel, "m" + i);
        }
        return last;
    }

    private static List<Long> offsets(List<Message> messages) {
        return messages.stream().map(Message::offset).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    /** A daemon thread, so a hub that deadlocks fails the test instead of keeping the JVM alive. */
    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread thread) throws InterruptedException {
        thread.join(TIMEOUT.toMillis());
        assertThat(thread.isAlive()).as("%s finished within %s", thread.getName(), TIMEOUT).isFalse();
    }

    // ---- fan-out and ordering ----

    @Test
    void fansOneMessageOutToAThousandSubscriptions() {
        HeraldNode node = node();
        List<RecordingSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            RecordingSubscriber subscriber = recorder("s" + i);
            await(node.subscribe(ROOM, null, subscriber));
            subscribers.add(subscriber);
        }

        StreamPosition position = publish(node, ROOM, "hello, everyone");

        for (RecordingSubscriber subscriber : subscribers) {
            Message message = subscriber.takeMessage();
            assertThat(message.position()).isEqualTo(position);
            assertThat(message.payload()).isEqualTo(Payload.text("hello, everyone"));
        }
        assertThat(node.subscriptionCount()).isEqualTo(1000);
    }

    @Test
    void eachSubscriberSeesItsChannelInOffsetOrderWhileThreadsPublishConcurrently() throws Exception {
        HeraldNode node = node();
        int channels = 4;
        int publishersPerChannel = 2;
        int perPublisher = 500;
        int total = publishersPerChannel * perPublisher;
        List<List<RecordingSubscriber>> subscribers = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            List<RecordingSubscriber> onChannel = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                RecordingSubscriber subscriber = recorder("c" + c + "s" + s);
                await(node.subscribe(ChannelId.of("c" + c), null, subscriber));
                onChannel.add(subscriber);
            }
            subscribers.add(onChannel);
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> publishers = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            ChannelId channel = ChannelId.of("c" + c);
            for (int p = 0; p < publishersPerChannel; p++) {
                publishers.add(daemon("publisher-" + channel + "-" + p, () -> {
                    awaitQuietly(go);
                    publishAll(node, channel, perPublisher);
                }));
            }
        }
        publishers.forEach(Thread::start);

        go.countDown();
        for (Thread publisher : publishers) {
            join(publisher);
        }

        for (int c = 0; c < channels; c++) {
            for (RecordingSubscriber subscriber : subscribers.get(c)) {
                List<Message> messages = subscriber.awaitMessages(total);
                assertThat(offsets(messages)).isEqualTo(range(1, total));
                assertThat(messages).extracting(Message::channel).containsOnly(ChannelId.of("c" + c));
            }
        }
    }

    // ---- resume ----

    @Test
    void resumeReplaysExactlyTheMessagesAfterTheCursorThenGoesLive() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 5);
        RecordingSubscriber subscriber = recorder("resumer");

        Subscription subscription = await(node.subscribe(ROOM, top.at(2), subscriber));
        List<Message> replayed = subscriber.awaitMessages(3);
        publish(node, ROOM, "live 1");
        publish(node, ROOM, "live 2");

        assertThat(subscription.start()).isEqualTo(top.at(2));
        assertThat(offsets(replayed)).containsExactly(3L, 4L, 5L);
        assertThat(offsets(subscriber.awaitMessages(2))).containsExactly(6L, 7L);
    }

    @Test
    void resumeAtTheTopDeliversOnlyLiveMessages() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 3);
        RecordingSubscriber subscriber = recorder("at-top");

        await(node.subscribe(ROOM, top, subscriber));
        publish(node, ROOM, "live");

        assertThat(offsets(subscriber.awaitMessages(1))).containsExactly(4L);
    }

    @Test
    void resumeReadsHistoryInPagesWhenItIsLongerThanOnePage() {
        HeraldNode node = node(HeraldNode.builder().replayPageSize(3));
        StreamPosition top = publishAll(node, ROOM, 10);
        RecordingSubscriber subscriber = recorder("pager");

        await(node.subscribe(ROOM, top.at(0), subscriber));

        assertThat(offsets(subscriber.awaitMessages(10))).isEqualTo(range(1, 10));
    }

    @Test
    void resumeWhileAnotherThreadPublishesSeesEveryOffsetExactlyOnceInOrder() throws Exception {
        int before = 40;
        int during = 60;
        for (int iteration = 0; iteration < 200; iteration++) {
            // Small pages, so the replay takes several reads and the publisher interleaves with them.
            HeraldNode node = HeraldNode.builder().replayPageSize(1 + iteration % 7).build();
            try {
                StreamPosition cursor = publishAll(node, ROOM, before).at(iteration % before);
                RecordingSubscriber subscriber = new RecordingSubscriber("iteration-" + iteration);
                CompletableFuture<Subscription> subscribed = new CompletableFuture<>();
                CountDownLatch go = new CountDownLatch(1);
                // Both sides on daemon threads, so a deadlock between them fails the test instead of hanging it.
                Thread publisher = daemon("publisher-" + iteration, () -> {
                    awaitQuietly(go);
                    publishAll(node, ROOM, during);
                });
                Thread resumer = daemon("resumer-" + iteration, () -> {
                    awaitQuietly(go);
                    node.subscribe(ROOM, cursor, subscriber).whenComplete((s, failure) -> {
                        if (failure != null) {
                            subscribed.completeExceptionally(failure);
                        } else {
                            subscribed.complete(s);
                        }
                    });
                });
                publisher.start();
                resumer.start();

                go.countDown();
                join(publisher);
                join(resumer);

                await(subscribed);
                List<Message> messages = subscriber.awaitMessages(before + during - (int) cursor.offset());
                assertThat(offsets(messages)).as("iteration %d", iteration)
                        .isEqualTo(range(cursor.offset() + 1, before + during));
                subscriber.assertExhausted();
            } finally {
                node.close();
            }
        }
    }

    @Test
    void slowConsumerClosedDuringReplayWhileAnotherThreadPublishesIsRemovedWithoutDeadlock() throws Exception {
        for (int iteration = 0; iteration < 200; iteration++) {
            HeraldNode node = HeraldNode.builder().replayPageSize(1 + iteration % 5).build();
            try {
                StreamPosition top = publishAll(node, ROOM, 40);
                RecordingSubscriber slow = RecordingSubscriber.refusingAfter(iteration % 30);
                CountDownLatch go = new CountDownLatch(1);
                Thread publisher = daemon("publisher-" + iteration, () -> {
                    awaitQuietly(go);
                    publishAll(node, ROOM, 40);
                });
                Thread resumer = daemon("resumer-" + iteration, () -> {
                    awaitQuietly(go);
                    node.subscribe(ROOM, top.at(0), slow);
                });
                publisher.start();
                resumer.start();

                go.countDown();
                join(publisher);
                join(resumer);

                assertThat(slow.awaitClosed(TIMEOUT)).isEqualTo(CloseReason.SLOW_CONSUMER);
                assertThat(slow.offsets()).as("iteration %d", iteration)
                        .isEqualTo(range(1, iteration % 30));
                assertThat(node.subscriptionCount()).isZero();
            } finally {
                node.close();
            }
        }
    }

    @Test
    void liveOnlySubscriptionStartsAtTheTopAndReportsIt() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 4);
        RecordingSubscriber subscriber = recorder("live");

        Subscription subscription = await(node.subscribe(ROOM, null, subscriber));
        StreamPosition next = publish(node, ROOM, "first live");

        assertThat(subscription.start()).isEqualTo(top);
        assertThat(subscription.channel()).isEqualTo(ROOM);
        assertThat(subscriber.takeMessage().position()).isEqualTo(next);
    }

    @Test
    void liveOnlySubscriptionToANewChannelStartsAtOffsetZero() {
        HeraldNode node = node();
        RecordingSubscriber subscriber = recorder("live");

        Subscription subscription = await(node.subscribe(ROOM, null, subscriber));
        publish(node, ROOM, "first");

        assertThat(subscription.start().offset()).isZero();
        assertThat(subscriber.takeMessage().offset()).isEqualTo(1);
    }

    // ---- resets ----

    @Test
    void trimmedCursorGetsAResetJustBeforeTheOldestRetainedThenTheRetainedMessages() {
        HeraldNode node = node(HeraldNode.builder().broker(InMemoryBroker.builder().historySize(3).build()));
        StreamPosition top = publishAll(node, ROOM, 6);
        RecordingSubscriber subscriber = recorder("behind");

        Subscription subscription = await(node.subscribe(ROOM, top.at(1), subscriber));

        Reset reset = subscriber.takeReset();
        assertThat(reset).isEqualTo(new Reset(ROOM, GapReason.HISTORY_TRIMMED, top.at(3)));
        assertThat(offsets(subscriber.awaitMessages(3))).containsExactly(4L, 5L, 6L);
        assertThat(subscription.start()).isEqualTo(top.at(3));
        publish(node, ROOM, "live");
        assertThat(subscriber.takeMessage().offset()).isEqualTo(7);
    }

    @Test
    void cursorOfAnotherEpochGetsAStreamRestartedResetThenEverything() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 2);
        RecordingSubscriber subscriber = recorder("from-before-restart");

        await(node.subscribe(ROOM, new StreamPosition("oldepoch", 41), subscriber));

        assertThat(subscriber.takeReset()).isEqualTo(new Reset(ROOM, GapReason.STREAM_RESTARTED, top.at(0)));
        assertThat(offsets(subscriber.awaitMessages(2))).containsExactly(1L, 2L);
    }

    @Test
    void cursorAheadOfTheChannelGetsACursorAheadReset() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 2);
        RecordingSubscriber subscriber = recorder("ahead");

        await(node.subscribe(ROOM, top.at(9), subscriber));

        assertThat(subscriber.takeReset()).isEqualTo(new Reset(ROOM, GapReason.CURSOR_AHEAD, top.at(0)));
        assertThat(offsets(subscriber.awaitMessages(2))).containsExactly(1L, 2L);
    }

    @Test
    void missedLiveDeliveryIsRecoveredFromHistoryWithoutAGap() {
        ControlledBroker broker = new ControlledBroker();
        HeraldNode node = node(HeraldNode.builder().broker(broker));
        RecordingSubscriber subscriber = recorder("survivor");
        await(node.subscribe(ROOM, null, subscriber));
        broker.lose(message -> message.offset() == 2);

        publishAll(node, ROOM, 4);

        assertThat(offsets(subscriber.awaitMessages(4))).containsExactly(1L, 2L, 3L, 4L);
    }

    // ---- slow consumers ----

    @Test
    void subscriberThatRefusesAnOfferIsClosedAsSlowAndRemovedWhileOthersKeepReceiving() {
        HeraldNode node = node();
        RecordingSubscriber slow = track(RecordingSubscriber.refusingAfter(2));
        RecordingSubscriber fast = recorder("fast");
        RecordingSubscriber alsoFast = recorder("also-fast");
        await(node.subscribe(ROOM, null, slow));
        await(node.subscribe(ROOM, null, fast));
        await(node.subscribe(ROOM, null, alsoFast));

        publishAll(node, ROOM, 5);

        assertThat(offsets(slow.awaitMessages(2))).containsExactly(1L, 2L);
        assertThat(slow.takeClose()).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(slow.refusedOffers()).isEqualTo(1);
        assertThat(node.subscriptionCount()).isEqualTo(2);
        assertThat(offsets(fast.awaitMessages(5))).isEqualTo(range(1, 5));
        assertThat(offsets(alsoFast.awaitMessages(5))).isEqualTo(range(1, 5));
    }

    @Test
    void subscriberThatRefusesDuringReplayIsClosedAsSlowAndTheSubscribeFails() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 5);
        RecordingSubscriber slow = track(RecordingSubscriber.refusingAfter(2));

        CompletableFuture<Subscription> subscribed = node.subscribe(ROOM, top.at(0), slow);

        assertThat(subscribed).failsWithin(TIMEOUT);
        assertThat(offsets(slow.awaitMessages(2))).containsExactly(1L, 2L);
        assertThat(slow.takeClose()).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(node.subscriptionCount()).isZero();
    }

    @Test
    void subscriptionBufferingMoreThanTheReplayBufferLimitIsClosedAsSlow() {
        ControlledBroker broker = new ControlledBroker();
        HeraldNode node = node(HeraldNode.builder().broker(broker).replayBufferLimit(5));
        StreamPosition top = publishAll(node, ROOM, 3);
        RecordingSubscriber subscriber = recorder("slow-replay");
        broker.holdReads();

        CompletableFuture<Subscription> subscribed = node.subscribe(ROOM, top.at(0), subscriber);
        assertThat(broker.heldReads()).isEqualTo(1);
        publishAll(node, ROOM, 5);
        assertThat(subscriber.events()).isEmpty();
        publish(node, ROOM, "one too many");

        assertThat(subscriber.takeClose()).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(subscribed).failsWithin(TIMEOUT);
        assertThat(node.subscriptionCount()).isZero();
        broker.releaseReads();
        assertThat(subscriber.events()).hasSize(1);
    }

    @Test
    void subscriptionWithinTheReplayBufferLimitGetsReplayThenBufferedMessagesWithoutDuplicates() {
        ControlledBroker broker = new ControlledBroker();
        HeraldNode node = node(HeraldNode.builder().broker(broker).replayBufferLimit(5));
        StreamPosition top = publishAll(node, ROOM, 3);
        RecordingSubscriber subscriber = recorder("patient");
        broker.holdReads();

        CompletableFuture<Subscription> subscribed = node.subscribe(ROOM, top.at(0), subscriber);
        publishAll(node, ROOM, 5);
        broker.releaseReads();

        await(subscribed);
        // The held read ran after the live messages were stored, so replay covers them too; buffering drops them.
        assertThat(offsets(subscriber.awaitMessages(8))).isEqualTo(range(1, 8));
        publish(node, ROOM, "live");
        assertThat(subscriber.takeMessage().offset()).isEqualTo(9);
    }

    // ---- closing ----

    @Test
    void closingASubscriptionStopsDeliveriesAndIsIdempotent() {
        HeraldNode node = node();
        RecordingSubscriber leaving = recorder("leaving");
        RecordingSubscriber staying = recorder("staying");
        Subscription subscription = await(node.subscribe(ROOM, null, leaving));
        await(node.subscribe(ROOM, null, staying));
        publish(node, ROOM, "before");

        subscription.close();
        subscription.close();
        publish(node, ROOM, "after");

        assertThat(offsets(leaving.awaitMessages(1))).containsExactly(1L);
        assertThat(offsets(staying.awaitMessages(2))).containsExactly(1L, 2L);
        assertThat(leaving.isClosed()).as("closing a subscription leaves the subscriber open").isFalse();
        assertThat(node.subscriptionCount()).isEqualTo(1);
    }

    @Test
    void subscriberWithSeveralChannelsKeepsTheOthersWhenOneSubscriptionCloses() {
        HeraldNode node = node();
        RecordingSubscriber subscriber = recorder("two-channels");
        Subscription room = await(node.subscribe(ROOM, null, subscriber));
        await(node.subscribe(LOBBY, null, subscriber));

        room.close();
        publish(node, ROOM, "room");
        publish(node, LOBBY, "lobby");

        assertThat(subscriber.takeMessage().channel()).isEqualTo(LOBBY);
    }

    @Test
    void operationsAfterNodeCloseFailInsteadOfHanging() {
        HeraldNode node = node();
        node.close();

        assertThat(node.publish(ROOM, Payload.text("x"), PublishOptions.DEFAULT)).failsWithin(TIMEOUT)
                .withThrowableThat().havingCause().withMessage("node is closed");
        assertThat(node.subscribe(ROOM, null, recorder("late"))).failsWithin(TIMEOUT);
        assertThat(node.history(ROOM, null, 10)).failsWithin(TIMEOUT);
    }

    // ---- other ----

    @Test
    void ephemeralMessagesReachLiveSubscribersButAreNotReplayed() {
        HeraldNode node = node();
        RecordingSubscriber live = recorder("live");
        await(node.subscribe(ROOM, null, live));
        StreamPosition durable = publish(node, ROOM, "durable");

        await(node.publish(ROOM, Payload.text("typing"), new PublishOptions("typing", true)));
        RecordingSubscriber resumer = recorder("resumer");
        await(node.subscribe(ROOM, durable.at(0), resumer));

        assertThat(live.awaitMessages(2)).extracting(Message::ephemeral).containsExactly(false, true);
        assertThat(resumer.awaitMessages(1)).extracting(Message::ephemeral).containsExactly(false);
    }

    @Test
    void historyReadsThroughTheBroker() {
        HeraldNode node = node();
        StreamPosition top = publishAll(node, ROOM, 3);

        HistoryPage page = await(node.history(ROOM, top.at(1), 10));

        assertThat(offsets(page.messages())).containsExactly(2L, 3L);
        assertThat(page.top()).isEqualTo(top);
    }

    @Test
    void subscribeFailsWithUnavailableWhenTheBrokerCannotServeTheChannel() {
        HeraldNode node = node(HeraldNode.builder().broker(InMemoryBroker.builder().maxChannels(1).build()));
        publish(node, LOBBY, "takes the only slot");

        CompletableFuture<Subscription> subscribed = node.subscribe(ROOM, null, recorder("refused"));

        assertThat(subscribed).failsWithin(TIMEOUT).withThrowableThat()
                .havingCause().isInstanceOf(HeraldUnavailableException.class);
        assertThat(node.subscriptionCount()).isZero();
    }

    @Test
    void builderRejectsLimitsBelowOne() {
        HeraldNode.Builder builder = HeraldNode.builder();

        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.replayPageSize(0))
                .withMessage("replay page size must be at least 1: 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.replayBufferLimit(0))
                .withMessage("replay buffer limit must be at least 1: 0");
    }
}
