package dev.herald.server.sse;

import static dev.herald.server.testing.TestServer.encode;
import static dev.herald.server.testing.TestServer.offset;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A subscriber that drops its connection mid-stream and reconnects with its last event id gets every message
 * exactly once and in order, while a publisher keeps publishing.
 */
class SseResumeIT {

    private static final int MESSAGES = 1000;
    /** Received-message counts after which the subscriber drops its connection and resumes. */
    private static final Set<Integer> DISCONNECT_AFTER = Set.of(1, 137, 500, 501, 871, 999);

    enum ResumeWith { LAST_EVENT_ID_HEADER, LAST_EVENT_ID_PARAMETER }

    @ParameterizedTest
    @EnumSource(ResumeWith.class)
    void subscriberThatReconnectsWithItsLastIdReceivesEveryMessageExactlyOnceInOrder(ResumeWith resumeWith) {
        try (TestServer server = TestServer.start(config -> config.historySize(MESSAGES));
             ExecutorService publisher = Executors.newSingleThreadExecutor()) {
            String path = "/v1/sse?channel=resume";
            SseConnection sse = server.sse(path);
            sse.awaitPreamble();
            CompletableFuture<List<String>> published = CompletableFuture.supplyAsync(() -> IntStream.range(0, MESSAGES)
                    .mapToObj(i -> server.publish("resume", "message " + i)).toList(), publisher);

            List<SseEvent> received = new ArrayList<>();
            int reconnects = 0;
            try {
                while (received.size() < MESSAGES) {
                    received.add(sse.nextEvent(TestServer.TIMEOUT));
                    if (DISCONNECT_AFTER.contains(received.size())) {
                        // Events read ahead but not yet taken are dropped with the connection, like in-flight bytes.
                        String last = received.getLast().lastEventId();
                        sse.close();
                        sse = switch (resumeWith) {
                            case LAST_EVENT_ID_HEADER -> server.sse(path, "Last-Event-ID", last);
                            case LAST_EVENT_ID_PARAMETER -> server.sse(path + "&lastEventId=" + encode(last));
                        };
                        assertThat(sse.awaitPreamble()).as("resumed stream's starting cursor").isEqualTo(last);
                        reconnects++;
                    }
                }
                sse.assertExhausted();
            } finally {
                sse.close();
            }

            assertThat(reconnects).isEqualTo(DISCONNECT_AFTER.size());
            assertThat(received).extracting(SseEvent::type).containsOnly("message");
            assertThat(received).extracting(SseEvent::data)
                    .containsExactlyElementsOf(IntStream.range(0, MESSAGES).mapToObj(i -> "message " + i).toList());
            assertThat(received).extracting(SseEvent::lastEventId).containsExactlyElementsOf(published.join());
            assertThat(received).extracting(event -> offset(event.lastEventId()))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> (long) i).toList());
        }
    }

    /**
     * A client that was away long enough to miss more than {@code maxOutboundBytes} of messages must still be able to
     * resume over SSE from history (docs/protocol.md, "Slow consumers": "The client reconnects with its cursor and
     * resumes from history").
     */
    @Test
    void resumeWithMoreToReplayThanTheOutboundBoundStillDeliversEverything() {
        // Default limits: 1 MiB outbound bound; history of 1,000 messages and 4 MiB per channel.
        try (TestServer server = TestServer.start()) {
            List<String> ids = IntStream.range(0, 1000)
                    .mapToObj(i -> server.publish("busy", i + " " + "y".repeat(1100))).toList();

            try (SseConnection sse = server.sse("/v1/sse?channel=busy", "Last-Event-ID", ids.getFirst())) {
                List<SseEvent> replayed = sse.nextEvents(999, TestServer.TIMEOUT);

                assertThat(replayed).extracting(SseEvent::lastEventId)
                        .containsExactlyElementsOf(ids.subList(1, 1000));
            }
        }
    }

    @Test
    void multiChannelStreamResumesFromItsCompositeCursor() {
        List<String> channels = List.of("left", "right", "middle");
        int perChannel = 200;
        try (TestServer server = TestServer.start();
             ExecutorService publisher = Executors.newSingleThreadExecutor()) {
            String path = "/v1/sse?channel=left&channel=right&channel=middle";
            SseConnection sse = server.sse(path);
            String start = sse.awaitPreamble();
            assertThat(start.split(",")).hasSize(3).allMatch(position -> position.matches("[0-9a-z]+-0"));

            // Interleaved unevenly, so the channels' offsets drift apart.
            CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
                int[] next = new int[channels.size()];
                for (int i = 0; next[0] + next[1] + next[2] < channels.size() * perChannel; i++) {
                    int c = (i * i + i / 7) % channels.size();
                    if (next[c] < perChannel) {
                        server.publish(channels.get(c), channels.get(c) + " " + next[c]++);
                    }
                }
            }, publisher);

            Map<String, List<String>> received = new LinkedHashMap<>();
            channels.forEach(channel -> received.put(channel, new ArrayList<>()));
            List<String> ids = new ArrayList<>();
            int total = 0;
            try {
                while (total < channels.size() * perChannel) {
                    SseEvent event = sse.nextEvent(TestServer.TIMEOUT);
                    String channel = event.data().substring(0, event.data().indexOf(' '));
                    received.get(channel).add(event.data());
                    ids.add(event.lastEventId());
                    total++;
                    if (total % 97 == 0) {
                        String cursor = event.lastEventId();
                        sse.close();
                        sse = server.sse(path, "Last-Event-ID", cursor);
                        assertThat(sse.awaitPreamble()).isEqualTo(cursor);
                    }
                }
                published.join();
                sse.assertExhausted();
            } finally {
                sse.close();
            }

            for (String channel : channels) {
                assertThat(received.get(channel)).as(channel).containsExactlyElementsOf(
                        IntStream.range(0, perChannel).mapToObj(i -> channel + " " + i).toList());
            }
            // Each id lists every channel's position in request order; exactly one position advances by one per event.
            String previous = start;
            for (String id : ids) {
                String[] before = previous.split(",");
                String[] after = id.split(",");
                assertThat(after).hasSize(3);
                long advanced = IntStream.range(0, 3).filter(i -> !before[i].equals(after[i])).count();
                assertThat(advanced).as("positions changed from %s to %s", previous, id).isEqualTo(1);
                for (int i = 0; i < 3; i++) {
                    assertThat(offset(after[i]) - offset(before[i])).isIn(0L, 1L);
                }
                previous = id;
            }
            assertThat(previous.split(",")).extracting(TestServer::offset).containsOnly((long) perChannel);
        }
    }
}
