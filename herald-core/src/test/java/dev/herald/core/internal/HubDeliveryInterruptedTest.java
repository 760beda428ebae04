package dev.herald.core.internal;

import dev.herald.core.ChannelId;
import dev.herald.core.ControlledBroker;
import dev.herald.core.GapReason;
import dev.herald.core.HeraldNode;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.RecordingSubscriber;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.core.memory.InMemoryBroker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the hub does when a broker reports that its delivery of a channel was interrupted
 * ({@link BrokerListener#onDeliveryInterrupted}): a subscription that saw no hole still catches up from history, so
 * nothing published during the interruption is skipped silently.
 */
class HubDeliveryInterruptedTest {

    private static final ChannelId CHANNEL = ChannelId.of("news");

    private ControlledBroker broker;
    private HeraldNode node;

    private void start(int historySize) {
        broker = new ControlledBroker(InMemoryBroker.builder().historySize(historySize).build());
        node = HeraldNode.builder().broker(broker).build();
    }

    @AfterEach
    void close() {
        node.close();
    }

    private StreamPosition publish(String text) {
        return node.publish(CHANNEL, Payload.text(text), PublishOptions.DEFAULT).join();
    }

    private Subscription subscribe(RecordingSubscriber subscriber) throws Exception {
        return node.subscribe(CHANNEL, null, subscriber).get(10, TimeUnit.SECONDS);
    }

    @Test
    void liveSubscriptionCatchesUpWhatItMissedWhenDeliveryIsRestored() throws Exception {
        start(100);
        RecordingSubscriber subscriber = new RecordingSubscriber();
        subscribe(subscriber);
        publish("one");
        assertThat(subscriber.takeMessage().payload().asText()).isEqualTo("one");

        broker.lose(message -> true);
        publish("two");
        publish("three");
        broker.lose(message -> false);
        broker.interruptDelivery(CHANNEL);

        assertThat(subscriber.awaitMessages(2)).extracting(m -> m.payload().asText()).containsExactly("two", "three");
        publish("four");
        assertThat(subscriber.takeMessage().offset()).isEqualTo(4);
        subscriber.assertExhausted();
    }

    @Test
    void interruptionWithNothingMissedDeliversNothingTwice() throws Exception {
        start(100);
        RecordingSubscriber subscriber = new RecordingSubscriber();
        subscribe(subscriber);
        publish("one");
        subscriber.takeMessage();

        broker.interruptDelivery(CHANNEL);
        publish("two");

        assertThat(subscriber.takeMessage().offset()).isEqualTo(2);
        subscriber.assertExhausted();
    }

    @Test
    void whatHistoryNoLongerHoldsIsSignalledAsAReset() throws Exception {
        start(1);
        RecordingSubscriber subscriber = new RecordingSubscriber();
        subscribe(subscriber);
        StreamPosition one = publish("one");
        subscriber.takeMessage();

        broker.lose(message -> true);
        publish("two");
        publish("three");
        broker.lose(message -> false);
        broker.interruptDelivery(CHANNEL);

        Reset reset = subscriber.takeReset();
        assertThat(reset.reason()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(reset.position()).isEqualTo(one.at(2));
        assertThat(subscriber.takeMessage().payload().asText()).isEqualTo("three");
        subscriber.assertExhausted();
    }

    @Test
    void channelWithoutSubscriptionsIgnoresTheCallback() {
        start(100);
        broker.interruptDelivery(ChannelId.of("nobody"));   // must not throw or create anything
        assertThat(node.subscriptionCount()).isZero();
    }
}
