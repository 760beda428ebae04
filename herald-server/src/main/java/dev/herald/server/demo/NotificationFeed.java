package dev.herald.server.demo;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Notifications for the feed page on {@value DemoPublishers#NOTIFICATIONS}, one every 2–6 s, drawn from a small
 * list. Reschedules itself after each one (a random gap); runs on the demo thread only.
 */
final class NotificationFeed implements Runnable {

    private record Template(String level, String title, String body) {
    }

    private static final List<Template> TEMPLATES = List.of(
            new Template("info", "Deploy finished", "api v2.14.3 is live in eu-west-1"),
            new Template("success", "Build passed", "main #4821: 1,204 tests in 3 min 12 s"),
            new Template("warning", "Disk 81% full", "db-replica-2 /var/lib/postgresql"),
            new Template("info", "New sign-up", "Acme Corp started a team trial"),
            new Template("success", "Payment received", "Invoice #10293 paid: 2,400 EUR"),
            new Template("warning", "Slow queries", "p99 of orders.search above 400 ms for 5 min"),
            new Template("info", "Comment on PR #512", "\"Looks good, one nit about the backoff cap\""),
            new Template("error", "Job failed", "nightly-export exited with status 2; retrying"),
            new Template("info", "Certificate renewed", "push.example.com valid until next year"),
            new Template("success", "Incident resolved", "Checkout latency back to normal"));

    private final DemoPublishers.Publisher publisher;
    private final Clock clock;
    private final RandomGenerator random;
    private @org.jspecify.annotations.Nullable ScheduledExecutorService executor;
    private long sequence;

    NotificationFeed(DemoPublishers.Publisher publisher, Clock clock, RandomGenerator random) {
        this.publisher = publisher;
        this.clock = clock;
        this.random = random;
    }

    Runnable schedule(ScheduledExecutorService executor) {
        this.executor = executor;
        executor.schedule(this, 1, TimeUnit.SECONDS);
        return this;
    }

    @Override
    public void run() {
        Template t = TEMPLATES.get(random.nextInt(TEMPLATES.size()));
        sequence++;
        publisher.publish(DemoPublishers.NOTIFICATIONS, "{\"n\":" + sequence + ",\"t\":" + clock.millis()
                + ",\"level\":" + DemoPublishers.quote(t.level()) + ",\"title\":" + DemoPublishers.quote(t.title())
                + ",\"body\":" + DemoPublishers.quote(t.body()) + "}", null);
        ScheduledExecutorService next = executor;
        if (next != null && !next.isShutdown()) {
            next.schedule(this, 2000 + random.nextInt(4000), TimeUnit.MILLISECONDS);
        }
    }
}
