package dev.herald.core.internal;

import dev.herald.core.ChannelId;
import dev.herald.core.ControlledBroker;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.RecordingSubscriber;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.core.memory.InMemoryBroker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel that loses its last subscription lingers with its broker interest until a second {@link Hub#sweep}
 * finds it still empty, so a long poll that polls again right after its answer finds the channel subscribed.
 */
class HubLingerTest {

    private static final ChannelId CHANNEL = ChannelId.of("news");

    private ControlledBroker broker = new ControlledBroker();
    private Hub hub = start(broker);

    private static Hub start(ControlledBroker broker) {
        Hub hub = new Hub(broker, broker, 100, 100);
        broker.start(hub);
        return hub;
    }

    @AfterEach
    void close() {
        broker.close();
    }

    private Subscription subscribe(ChannelId channel, @Nullable StreamPosition since, RecordingSubscriber subscriber)
            throws Exception {
        return hub.subscribe(channel, since, subscriber).get(10, TimeUnit.SECONDS);
    }

    private StreamPosition publish(String text) {
        return broker.publish(CHANNEL, Payload.text(text), PublishOptions.DEFAULT).join();
    }

    @Test
    void anEmptiedChannelKeepsItsBrokerInterestUntilTheSecondSweepFindsItEmpty() throws Exception {
        subscribe(CHANNEL, null, new RecordingSubscriber()).close();
        assertThat(broker.interest(CHANNEL)).isEqualTo(1);
        assertThat(hub.channelCount()).isEqualTo(1);

        hub.sweep();
        assertThat(broker.interest(CHANNEL)).isEqualTo(1);

        hub.sweep();
        assertThat(broker.interest(CHANNEL)).isZero();
        assertThat(hub.channelCount()).isZero();
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void aSubscriptionWhileTheChannelLingersTakesItUpWithoutSubscribingTheBrokerAgain() throws Exception {
        StreamPosition first = publish("first");
        subscribe(CHANNEL, first, new RecordingSubscriber()).close();
        hub.sweep();
        publish("while nobody listened");

        RecordingSubscriber again = new RecordingSubscriber();
        Subscription subscription = subscribe(CHANNEL, first, again);
        assertThat(again.takeMessage().payload().asText()).isEqualTo("while nobody listened");
        publish("live");
        assertThat(again.takeMessage().payload().asText()).isEqualTo("live");
        assertThat(broker.subscribes(CHANNEL)).isEqualTo(1);

        hub.sweep();
        hub.sweep();   // a channel with a subscription is never dropped, however many sweeps pass
        assertThat(broker.interest(CHANNEL)).isEqualTo(1);

        subscription.close();   // lingers afresh: the sweep that counted before the take-up does not count now
        hub.sweep();
        assertThat(broker.interest(CHANNEL)).isEqualTo(1);
        hub.sweep();
        assertThat(broker.interest(CHANNEL)).isZero();
    }

    @Test
    void atMostTheLimitOfChannelsLingerAndTheRestAreDroppedAtOnce() throws Exception {
        for (int i = 0; i <= Hub.MAX_LINGERING_CHANNELS; i++) {
            subscribe(ChannelId.of("c" + i), null, new RecordingSubscriber()).close();
        }

        assertThat(hub.channelCount()).isEqualTo(Hub.MAX_LINGERING_CHANNELS);
        assertThat(broker.interest(ChannelId.of("c0"))).isEqualTo(1);
        assertThat(broker.interest(ChannelId.of("c" + Hub.MAX_LINGERING_CHANNELS))).isZero();

        hub.sweep();
        hub.sweep();
        assertThat(hub.channelCount()).isZero();
        assertThat(broker.interest(ChannelId.of("c0"))).isZero();
    }

    @Test
    void aChannelWhoseBrokerInterestFailedDoesNotLinger() {
        broker.close();
        broker = new ControlledBroker(InMemoryBroker.builder().maxChannels(1).build());
        hub = start(broker);
        broker.publish(ChannelId.of("lobby"), Payload.text("takes the only slot"), PublishOptions.DEFAULT).join();

        CompletableFuture<Subscription> refused = hub.subscribe(CHANNEL, null, new RecordingSubscriber());

        assertThat(refused).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOf(HeraldUnavailableException.class);
        assertThat(hub.channelCount()).isZero();
        assertThat(broker.interest(CHANNEL)).isZero();
    }
}
