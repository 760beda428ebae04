package dev.herald.server.redis;

import dev.herald.redis.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures Herald on Redis (a program, not a test; run it with {@code scripts/bench-redis}):
 *
 * <ol>
 *   <li>publish-to-delivery latency, p50/p99/max, for an SSE subscriber on the node that publishes and for one on
 *       another node, both through Redis, next to a single in-memory node as the baseline;</li>
 *   <li>cluster throughput: SSE subscribers spread over three nodes, publishers posting as fast as the nodes answer,
 *       counted as deliveries per second across the cluster.</li>
 * </ol>
 *
 * Every process (redis-server, the Herald nodes, this client) runs on this one machine, so the numbers include the
 * client's own work and the contention for its cores. A message's payload is the {@code System.nanoTime()} at which
 * the publish request was sent; the subscriber in this same process subtracts it from its receive time.
 *
 * <p>Arguments (all optional): {@code latencyMessages=2000 rate=200 subscribersPerNode=100 throughputMessages=2000
 * publishers=4}.
 */
public final class RedisClusterBenchmark {

    private static final List<String> BENCH_JVM = List.of("-Xmx512m", "-XX:+UseParallelGC");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private RedisClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int latencyMessages = intArg(args, "latencyMessages", 2000);
        int rate = intArg(args, "rate", 200);
        int subscribersPerNode = intArg(args, "subscribersPerNode", 100);
        int throughputMessages = intArg(args, "throughputMessages", 2000);
        int publishers = intArg(args, "publishers", 4);

        StringBuilder report = new StringBuilder();
        try (HeraldProcess memory = HeraldProcess.start("memory", BENCH_JVM)) {
            warmUp(memory.url(), memory.url());
            Stats local = latency(memory.url(), memory.url(), latencyMessages, rate);
            report.append(row("in-memory, one node (baseline)", local));
        }
        try (RedisServer redis = RedisServer.start()) {
            List<HeraldProcess> nodes = new ArrayList<>();
            try {
                for (String name : List.of("A", "B", "C")) {
                    nodes.add(HeraldProcess.start(name, BENCH_JVM, "--broker", redis.uri()));
                }
                URI a = nodes.get(0).url();
                URI b = nodes.get(1).url();
                warmUp(a, b);
                report.append(row("Redis, subscriber on the publishing node", latency(a, a, latencyMessages, rate)));
                report.append(row("Redis, subscriber on another node", latency(a, b, latencyMessages, rate)));
                String throughput = throughput(nodes, subscribersPerNode, throughputMessages, publishers);
                System.out.println();
                System.out.println("| path | p50 | p99 | max | messages |");
                System.out.println("|---|---|---|---|---|");
                System.out.print(report);
                System.out.println();
                System.out.println(throughput);
            } finally {
                nodes.forEach(HeraldProcess::close);
            }
        }
    }

    /** A few hundred messages through both paths so the JIT has compiled them before anything is measured. */
    private static void warmUp(URI publishTo, URI subscribeTo) throws Exception {
        latency(publishTo, subscribeTo, 500, 1000);
    }

    /** Publishes {@code count} messages on {@code publishTo} at {@code rate}/s; one SSE subscriber on {@code subscribeTo}. */
    private static Stats latency(URI publishTo, URI subscribeTo, int count, int rate) throws Exception {
        String channel = "lat" + System.nanoTime();
        long[] latencies = new long[count];
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        try (Subscriber subscriber = Subscriber.open(subscribeTo, channel, (now, data) -> {
            int i = (int) received.getAndIncrement();
            if (i < count) {
                latencies[i] = now - Long.parseLong(data);
                if (i == count - 1) {
                    done.countDown();
                }
            }
        })) {
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                LockSupport.parkNanos(next - System.nanoTime());
                next += interval;
                publish(publishTo, channel, Long.toString(System.nanoTime()));
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + received.get() + " of " + count + " messages arrived");
            }
        }
        return Stats.of(latencies);
    }

    /** Deliveries per second with {@code perNode} SSE subscribers on each node and publishers on every node. */
    private static String throughput(List<HeraldProcess> nodes, int perNode, int messages, int publishers)
            throws Exception {
        String channel = "tput" + System.nanoTime();
        int subscribers = perNode * nodes.size();
        long expected = (long) subscribers * messages;
        AtomicLong delivered = new AtomicLong();
        AtomicLong lastDelivery = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        List<Subscriber> open = new ArrayList<>();
        try {
            for (HeraldProcess node : nodes) {
                for (int i = 0; i < perNode; i++) {
                    open.add(Subscriber.open(node.url(), channel, (now, data) -> {
                        lastDelivery.accumulateAndGet(now, Math::max);
                        if (delivered.incrementAndGet() == expected) {
                            done.countDown();
                        }
                    }));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                URI node = nodes.get(p % nodes.size()).url();
                int share = messages / publishers + (p < messages % publishers ? 1 : 0);
                sent.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        publish(node, channel, "x");
                    }
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get();
            }
            long published = System.nanoTime();
            pool.shutdown();
            boolean all = done.await(120, TimeUnit.SECONDS);
            double seconds = (Math.max(lastDelivery.get(), published) - start) / 1e9;
            return String.format(Locale.ROOT, "Throughput: %d messages published by %d publishers (spread over %d "
                            + "nodes) to %d SSE subscribers (%d per node): %,d deliveries in %.2f s = %,.0f "
                            + "deliveries/s across the cluster (%,.0f publishes/s)%s",
                    messages, publishers, nodes.size(), subscribers, perNode, delivered.get(), seconds,
                    delivered.get() / seconds, messages / ((published - start) / 1e9),
                    all ? "" : " — INCOMPLETE: not every delivery arrived within 120 s");
        } finally {
            open.forEach(Subscriber::close);
        }
    }

    private static void publish(URI node, String channel, String body) {
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/channels/" + channel + "/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<Void> response = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("publish answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String row(String path, Stats stats) {
        return String.format(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %d |%n", path, stats.p50 / 1e6,
                stats.p99 / 1e6, stats.max / 1e6, stats.count);
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (String arg : args) {
            if (arg.startsWith(name + "=")) {
                return Integer.parseInt(arg.substring(name.length() + 1));
            }
        }
        return fallback;
    }

    /** Latency percentiles in nanoseconds. */
    private record Stats(long p50, long p99, long max, int count) {
        static Stats of(long[] latencies) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return new Stats(sorted[(int) (sorted.length * 0.50)], sorted[(int) Math.min(sorted.length - 1,
                    sorted.length * 0.99)], sorted[sorted.length - 1], sorted.length);
        }
    }

    /** A receive callback: the receive time ({@code System.nanoTime()}) and the event's data. */
    private interface OnData {
        void accept(long nanos, String data);
    }

    /** A lean SSE reader that timestamps each {@code data:} line as it is read. */
    private static final class Subscriber implements AutoCloseable {
        private final InputStream body;

        private Subscriber(InputStream body) {
            this.body = body;
        }

        static Subscriber open(URI node, String channel, OnData onData) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/sse?channel=" + channel)).GET().build();
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            // The preamble (retry: and id:, then a blank line) means the subscription is live.
            for (String line = reader.readLine(); line != null && !line.isEmpty(); line = reader.readLine()) {
                // skip
            }
            Thread thread = new Thread(() -> {
                try {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (line.startsWith("data: ")) {
                            onData.accept(System.nanoTime(), line.substring(6));
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "bench-sse");
            thread.setDaemon(true);
            thread.start();
            return new Subscriber(response.body());
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    static {
        // The benchmark runs from the repository root; the jar lives under herald-server.
        if (System.getProperty("herald.jar") == null && Files.isRegularFile(Path.of("herald-server/target/herald.jar"))) {
            System.setProperty("herald.jar", "herald-server/target/herald.jar");
        }
    }
}
