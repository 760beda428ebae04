package dev.herald.server.demo;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

/**
 * Samples for the live dashboard on {@value DemoPublishers#METRICS}: a made-up service's requests per second,
 * p99 latency and error rate (random walks around a slow wave, so the chart moves like real traffic), plus this
 * server's real heap use and subscription count. Runs on the demo thread only.
 */
final class MetricsFeed implements Runnable {

    static final long PERIOD_MILLIS = 500;

    private final DemoPublishers.Publisher publisher;
    private final Clock clock;
    private final RandomGenerator random;
    private final IntSupplier subscriptions;
    private double rps = 1200;
    private double p99 = 45;
    private double errors = 0.4;
    private long tick;

    MetricsFeed(DemoPublishers.Publisher publisher, Clock clock, RandomGenerator random, IntSupplier subscriptions) {
        this.publisher = publisher;
        this.clock = clock;
        this.random = random;
        this.subscriptions = subscriptions;
    }

    Runnable schedule(ScheduledExecutorService executor) {
        executor.scheduleAtFixedRate(this, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void run() {
        tick++;
        double wave = Math.sin(tick / 40.0);
        rps = clamp(rps + random.nextGaussian() * 40 + (1200 + 500 * wave - rps) * 0.1, 50, 5000);
        p99 = clamp(p99 + random.nextGaussian() * 3 + (40 + 25 * Math.max(0, wave) - p99) * 0.15, 5, 500);
        errors = clamp(errors + random.nextGaussian() * 0.08 + (0.4 - errors) * 0.1
                + (random.nextInt(200) == 0 ? 4 : 0), 0, 20);
        Runtime runtime = Runtime.getRuntime();
        long heapMb = (runtime.totalMemory() - runtime.freeMemory()) >> 20;
        publisher.publish(DemoPublishers.METRICS, String.format(Locale.ROOT,
                "{\"t\":%d,\"rps\":%.0f,\"p99\":%.1f,\"errors\":%.2f,\"heapMb\":%d,\"subscriptions\":%d}",
                clock.millis(), rps, p99, errors, heapMb, subscriptions.getAsInt()), null);
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }
}
