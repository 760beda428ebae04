package dev.herald.server.websocket;

import dev.herald.core.ChannelId;
import dev.herald.core.CloseReason;
import dev.herald.core.GapReason;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.server.internal.LiveConnections;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbound side of a connection on an {@link EmbeddedChannel}: ordering, holding, bounds and close. */
class WebSocketSubscriberTest {

    private static final ChannelId ROOM = ChannelId.of("room");
    private static final long MAX_BYTES = 4096;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final LiveConnections live = new LiveConnections();
    private final WebSocketSubscriber out = new WebSocketSubscriber(channel, live, MAX_BYTES, 1_000_000_000L,
            1_000_000_000L);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void whatArrivesBeforeTheAckIsHeldAndWrittenRightAfterIt() {
        WebSocketSubscriber.Sink sink = out.newSink(ROOM, "r1");
        assertThat(sink.offerReset(new Reset(ROOM, GapReason.HISTORY_TRIMMED, position(4)))).isTrue();
        assertThat(sink.offer(message(5, "five"))).isTrue();
        channel.runPendingTasks();
        assertThat(frames()).isEmpty();

        RecordingSubscription subscription = new RecordingSubscription(position(4));
        out.subscribed(sink, subscription, null);
        assertThat(sink.offer(message(6, "six"))).isTrue();
        channel.runPendingTasks();

        assertThat(frames()).containsExactly(
                "{\"type\":\"ack\",\"ref\":\"r1\",\"channel\":\"room\",\"position\":\"e-4\"}",
                "{\"type\":\"reset\",\"channel\":\"room\",\"reason\":\"history_trimmed\",\"position\":\"e-4\"}",
                message(5, "five").encoded(WebSocketCodec.MESSAGE).text(),
                message(6, "six").encoded(WebSocketCodec.MESSAGE).text());
    }

    @Test
    void liveDeliveriesAreBoundedInBytesAndTheRefusalMakesTheHubCloseTheConnection() {
        WebSocketSubscriber.Sink sink = subscribed();
        String kilobyte = "x".repeat(1000);
        int accepted = 0;
        while (sink.offer(message(accepted + 1, kilobyte))) {   // nothing drains: the event loop does not run
            accepted++;
        }
        assertThat(accepted).isEqualTo(3);   // 3 × (1000 + overhead) fit in 4096, a fourth does not
    }

    @Test
    void aReplayBeforeTheAckIsBoundedByCountNotBytes() {
        WebSocketSubscriber.Sink sink = out.newSink(ROOM, null);
        String kilobyte = "x".repeat(1000);
        for (int i = 1; i <= 100; i++) {
            assertThat(sink.offer(message(i, kilobyte))).as("replayed message %s", i).isTrue();
        }
        out.subscribed(sink, new RecordingSubscription(position(0)), null);
        channel.runPendingTasks();
        List<String> written = new ArrayList<>(frames());
        // The backlog goes out at the pace the channel takes it: a drain stops at the high water mark.
        assertThat(written.size()).isLessThan(101);
        for (int rounds = 0; written.size() < 101 && rounds < 100; rounds++) {
            out.writabilityChanged();   // what the handler calls when the channel drained below the low mark
            channel.runPendingTasks();
            written.addAll(frames());
        }
        assertThat(written).hasSize(101);
        assertThat(written.get(100)).contains("\"id\":\"e-100\"");
    }

    @Test
    void afterUnsubscribeNothingMoreOfTheChannelIsWritten() {
        WebSocketSubscriber.Sink sink = subscribed();
        sink.offer(message(1, "queued before the unsubscribe"));
        assertThat(out.unsubscribe(ROOM)).isTrue();
        channel.runPendingTasks();
        assertThat(frames()).isEmpty();
        assertThat(out.unsubscribe(ROOM)).isFalse();
    }

    @Test
    void anUnsubscribeThatOvertakesTheSubscribeAnswersItAndClosesTheLateSubscription() {
        WebSocketSubscriber.Sink sink = out.newSink(ROOM, 7L);
        assertThat(out.unsubscribe(ROOM)).isTrue();
        RecordingSubscription late = new RecordingSubscription(position(0));
        out.subscribed(sink, late, null);
        assertThat(frames()).containsExactly("{\"type\":\"error\",\"ref\":7,\"error\":\"cancelled\","
                + "\"message\":\"unsubscribed before the subscribe completed\",\"channel\":\"room\"}");
        assertThat(late.closed).isTrue();
    }

    @Test
    void closingSendsTheReasonsCodeAndClosesEverySubscription() {
        RecordingSubscription subscription = new RecordingSubscription(position(0));
        WebSocketSubscriber.Sink sink = out.newSink(ROOM, null);
        out.subscribed(sink, subscription, null);
        frames();
        sink.close(CloseReason.SLOW_CONSUMER);
        channel.runPendingTasks();
        WebSocketFrame frame = channel.readOutbound();
        assertThat(frame).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) frame).statusCode()).isEqualTo(4008);
        assertThat(((CloseWebSocketFrame) frame).reasonText()).contains("slow consumer");
        frame.release();
        assertThat(subscription.closed).isTrue();
        assertThat(sink.offer(message(1, "after close"))).isFalse();
    }

    private WebSocketSubscriber.Sink subscribed() {
        WebSocketSubscriber.Sink sink = out.newSink(ROOM, null);
        out.subscribed(sink, new RecordingSubscription(position(0)), null);
        frames();   // the ack
        return sink;
    }

    private List<String> frames() {
        List<String> texts = new ArrayList<>();
        Object frame;
        while ((frame = channel.readOutbound()) != null) {
            texts.add(((TextWebSocketFrame) frame).text());
            ((TextWebSocketFrame) frame).release();
        }
        return texts;
    }

    private static StreamPosition position(long offset) {
        return new StreamPosition("e", offset);
    }

    private static Message message(long offset, String text) {
        return Message.create(ROOM, position(offset), 1, PublishOptions.DEFAULT, Payload.text(text));
    }

    private static final class RecordingSubscription implements Subscription {
        private final StreamPosition start;
        volatile boolean closed;

        RecordingSubscription(StreamPosition start) {
            this.start = start;
        }

        @Override
        public ChannelId channel() {
            return ROOM;
        }

        @Override
        public StreamPosition start() {
            return start;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
