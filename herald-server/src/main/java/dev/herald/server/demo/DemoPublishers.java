package dev.herald.server.demo;

import dev.herald.core.ChannelId;
import dev.herald.core.HeraldNode;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo feeds, each a backend publishing through {@link HeraldNode#publish}:
 *
 * <table>
 *   <caption>channels, rates and what reads them</caption>
 *   <tr><th>channel</th><th>rate</th><th>page</th></tr>
 *   <tr><td>{@value #METRICS}</td><td>{@value MetricsFeed#PERIOD_MILLIS} ms per sample</td>
 *       <td>{@code dashboard.html} (SSE)</td></tr>
 *   <tr><td>{@value #NOTIFICATIONS}</td><td>one every 2–6 s</td><td>{@code notifications.html} (long polling)</td></tr>
 *   <tr><td>{@value #TOKENS}</td><td>at most {@value TokenStream#MAX_TOKENS_PER_SECOND} tokens/s while answering,
 *       then a pause</td><td>{@code tokens.html} (SSE)</td></tr>
 * </table>
 *
 * <p>Concurrency: every feed runs on one daemon thread of its own executor, so feeds never publish concurrently
 * and a slow publish delays the next tick instead of piling up ticks. Lifecycle: {@link #start} once;
 * {@link #close} stops the thread (idempotent) and is called by the server before it closes its node. A publish
 * that fails (e.g. the node is closing) is logged at debug and the feed goes on.
 *
 * <p>Memory: each feed's history is bounded by the server's per-channel history settings, like any channel's.
 */
public final class DemoPublishers implements AutoCloseable {

    /** Live metrics samples, JSON. */
    public static final String METRICS = "demo.metrics";
    /** Notifications, JSON. */
    public static final String NOTIFICATIONS = "demo.notifications";
    /** A token stream: events {@code start}, {@code token}, {@code end}, JSON. */
    public static final String TOKENS = "demo.tokens";

    private static final Logger log = LoggerFactory.getLogger(DemoPublishers.class);

    private final ScheduledExecutorService executor;

    private DemoPublishers(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /**
     * Starts every feed on {@code node}; {@code clock} stamps the samples. Call once; {@link #close} stops them.
     */
    public static DemoPublishers start(HeraldNode node, Clock clock) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(clock, "clock");
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "herald-demo");
            thread.setDaemon(true);
            return thread;
        });
        Publisher publisher = (channel, json, event) -> node
                .publish(ChannelId.of(channel), Payload.utf8(Payload.Kind.JSON, json.getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)), PublishOptions.event(event))
                .exceptionally(failure -> {
                    log.debug("demo publish to {} failed: {}", channel, failure.toString());
                    return null;
                });
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        new MetricsFeed(publisher, clock, random, node::subscriptionCount).schedule(executor);
        new NotificationFeed(publisher, clock, random).schedule(executor);
        new TokenStream(publisher, random).schedule(executor);
        log.info("demo publishers on {}, {} and {} (--no-demo turns them off)", METRICS, NOTIFICATIONS, TOKENS);
        return new DemoPublishers(executor);
    }

    /** Stops every feed; waits briefly for a tick in progress. Idempotent. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Publishes one JSON payload, optionally with an event type. Must not block. */
    @FunctionalInterface
    interface Publisher {
        void publish(String channel, String json, @org.jspecify.annotations.Nullable String event);
    }

    /** Quotes a string as JSON (the demo texts are plain ASCII, but be exact anyway). */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
