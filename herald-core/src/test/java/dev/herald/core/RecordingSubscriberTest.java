package dev.herald.core;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The fixture is only as good as its failures: these check that it refuses, records and complains as documented. */
class RecordingSubscriberTest {

    private static final ChannelId ROOM = ChannelId.of("room");
    private static final StreamPosition AT_1 = new StreamPosition("e1", 1);

    private static Message message(long offset) {
        return Message.create(ROOM, AT_1.at(offset), 0, PublishOptions.DEFAULT, Payload.text("m" + offset));
    }

    @Test
    void recordsEventsInOrderAndHandsThemOutInOrder() {
        RecordingSubscriber recorder = new RecordingSubscriber();
        Reset reset = new Reset(ROOM, GapReason.HISTORY_TRIMMED, AT_1);

        recorder.offerReset(reset);
        recorder.offer(message(2));
        recorder.offer(message(3));
        recorder.close(CloseReason.SHUTDOWN);

        assertThat(recorder.takeReset()).isEqualTo(reset);
        assertThat(recorder.awaitMessages(2)).extracting(Message::offset).containsExactly(2L, 3L);
        assertThat(recorder.takeClose()).isEqualTo(CloseReason.SHUTDOWN);
        recorder.assertExhausted();
    }

    @Test
    void refusesOffersAfterItsCapacity() {
        RecordingSubscriber recorder = RecordingSubscriber.refusingAfter(2);

        assertThat(recorder.offer(message(1))).isTrue();
        assertThat(recorder.offerReset(new Reset(ROOM, GapReason.CURSOR_AHEAD, AT_1))).isTrue();
        assertThat(recorder.offer(message(3))).isFalse();

        assertThat(recorder.refusedOffers()).isEqualTo(1);
        assertThat(recorder.events()).hasSize(2);
    }

    @Test
    void refusesOffersOnceClosed() {
        RecordingSubscriber recorder = new RecordingSubscriber();
        recorder.close(CloseReason.NORMAL);

        assertThat(recorder.offer(message(1))).isFalse();
        assertThat(recorder.isClosed()).isTrue();
        assertThat(recorder.closeReason()).isEqualTo(CloseReason.NORMAL);
    }

    @Test
    void assertExhaustedFailsOnAnUnconsumedEvent() {
        RecordingSubscriber recorder = new RecordingSubscriber("r");
        recorder.offer(message(1));

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(recorder::assertExhausted)
                .withMessageStartingWith("r: 1 unconsumed event(s)");
    }

    @Test
    void awaitMessagesFailsAtOnceWhenACloseComesInstead() {
        RecordingSubscriber recorder = new RecordingSubscriber("r");
        recorder.offer(message(1));
        recorder.close(CloseReason.SLOW_CONSUMER);

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> recorder.awaitMessages(2, Duration.ofMinutes(1)))
                .withMessageContaining("event 1 is Closed[reason=SLOW_CONSUMER]");
    }

    @Test
    void awaitMessagesFailsAfterItsTimeoutWhenTooFewArrive() {
        RecordingSubscriber recorder = new RecordingSubscriber("r");
        recorder.offer(message(1));

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> recorder.awaitMessages(2, Duration.ofMillis(1)))
                .withMessageStartingWith("r: expected 2 messages within PT0.001S but got 1");
    }

    @Test
    void awaitMessagesWakesWhenAnotherThreadOffers() throws Exception {
        RecordingSubscriber recorder = new RecordingSubscriber();
        Thread offerer = new Thread(() -> recorder.offer(message(1)));

        offerer.start();

        assertThat(recorder.awaitMessages(1)).extracting(Message::offset).containsExactly(1L);
        offerer.join();
    }
}
