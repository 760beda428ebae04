package dev.herald.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.ChannelId;
import dev.herald.core.HeraldNode;
import dev.herald.core.memory.InMemoryBroker;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The feeds on a real node and thread: they publish to every demo channel, and close() stops their thread. */
class DemoPublishersTest {

    private final HeraldNode node = HeraldNode.builder().broker(InMemoryBroker.builder().build()).build();

    @AfterEach
    void closeNode() {
        node.close();
    }

    @Test
    void publishesToEveryDemoChannelAndStopsOnClose() {
        DemoPublishers demo = DemoPublishers.start(node, Clock.systemUTC());
        try {
            for (String channel : new String[] {DemoPublishers.METRICS, DemoPublishers.NOTIFICATIONS,
                    DemoPublishers.TOKENS}) {
                awaitTrue(() -> !node.history(ChannelId.of(channel), null, 10).join().messages().isEmpty(),
                        Duration.ofSeconds(10), "a message on " + channel);
            }
        } finally {
            demo.close();
        }
        assertThat(demoThreads()).as("the demo thread is gone after close()").isZero();
        demo.close();   // idempotent
    }

    private static long demoThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("herald-demo") && t.isAlive()).count();
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            try {
                Thread.sleep(20);   // polling interval of a condition with a deadline, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
