package dev.herald.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.Await;
import dev.herald.server.testing.SseConnection;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reader that stops reading is disconnected once the kernel's buffers and the configured per-connection bound
 * are full, while a reader on the same channel that keeps up receives every message; what the stalled one missed
 * is still in history.
 */
class SlowConsumerIT {

    private static final int MAX_OUTBOUND_BYTES = 64 * 1024;
    private static final int MESSAGE_BYTES = 32 * 1024;
    /** 64 MiB: far beyond any kernel socket buffer plus the bound, so a reader that never reads must be cut off. */
    private static final int MAX_MESSAGES = 2048;

    @Test
    void aReaderThatNeverReadsIsCutOffWhileAFastReaderReceivesEverything() {
        try (TestServer server = TestServer.start(config -> config
                .maxOutboundBytes(MAX_OUTBOUND_BYTES).maxMessageBytes(MESSAGE_BYTES + 1024)
                .historySize(MAX_MESSAGES + 100)
                .historyBytes(256L << 20)
                .historyTotalBytes(512L << 20));
             SseConnection fast = server.sse("/v1/sse?channel=firehose");
             SseConnection slow = SseConnection.open(server.address(), "/v1/sse?channel=firehose", 4096)) {
            fast.awaitPreamble();
            Await.until("both subscribed", () -> server.server().node().subscriptionCount() == 2,
                    TestServer.TIMEOUT);

            List<String> published = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            // Publish in step with the fast reader, so only the slow one can fall behind.
            while (server.server().node().subscriptionCount() == 2) {
                assertThat(published).as("messages published without the slow reader being cut off")
                        .hasSizeLessThan(MAX_MESSAGES);
                String text = payload(published.size());
                ids.add(server.publish("firehose", text));
                published.add(text);
                assertThat(fast.nextEvent()).isEqualTo(new SseEvent("message", text, ids.getLast()));
            }
            int cutAt = published.size();
            for (int i = 0; i < 20; i++) {
                String text = payload(published.size());
                ids.add(server.publish("firehose", text));
                published.add(text);
                assertThat(fast.nextEvent()).isEqualTo(new SseEvent("message", text, ids.getLast()));
            }
            assertThat(fast.ended()).isFalse();
            fast.assertExhausted();

            // The slow reader finally reads: what reached it is an in-order prefix, then the connection ends
            // without the terminating chunk (a cut, not a clean end of stream).
            assertThat(slow.status()).isEqualTo(200);
            assertThat(slow.awaitEnd(TestServer.TIMEOUT)).isIn(SseConnection.Ending.EOF_WITHOUT_TERMINATING_CHUNK,
                    SseConnection.Ending.RESET);
            List<SseEvent> prefix = slow.pendingEvents();
            assertThat(prefix.size()).isLessThanOrEqualTo(cutAt);
            assertThat(prefix).extracting(SseEvent::data)
                    .containsExactlyElementsOf(published.subList(0, prefix.size()));

            // Nothing is lost: history holds everything after the last event the slow reader got. (It reads the
            // gap through history pages; see SseResumeIT for SSE resumes with a backlog beyond the bound.)
            String cursor = slow.lastEventId();
            List<String> rest = new ArrayList<>();
            while (!cursor.equals(ids.getLast())) {
                var page = server.history("firehose", "after=" + cursor + "&limit=50");
                assertThat(page.get("resets")).isEmpty();
                page.get("messages").forEach(message -> rest.add(message.get("data").asText()));
                cursor = page.get("cursor").asText();
            }
            assertThat(rest).containsExactlyElementsOf(published.subList(prefix.size(), published.size()));
        }
    }

    private static String payload(int index) {
        String head = "message " + index + " ";
        return head + "x".repeat(MESSAGE_BYTES - head.length());
    }
}
