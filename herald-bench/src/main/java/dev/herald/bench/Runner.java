package dev.herald.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Runs one load point: measure the idle server, connect every subscriber (in worker processes past
 * {@code perProcess}), wait until the server has registered them, measure memory, publish for the warm-up (if any)
 * and then for the measured duration, wait for delivery to finish, then check every stream and add everything up.
 */
public final class Runner {

    /** Everything one run needs. {@code rate <= 0} means as fast as delivery keeps up. */
    public record Options(
            String name,
            String scenario,
            ServerKind kind,
            String host,
            int port,
            long serverPid,
            @Nullable Path gcLog,
            boolean serverGc,
            boolean heapPretouched,
            Transport transport,
            int subscribers,
            int channels,
            double rate,
            int windowPerSubscriber,
            int payloadBytes,
            Duration warmup,
            Duration duration,
            Duration idle,
            Duration drain,
            int pollIntervalMillis,
            int pollTimeoutSeconds,
            int perProcess,
            int clientThreads,
            int connectConcurrency,
            int sourceAddresses,
            int publishers,
            List<String> workerJvmOptions,
            String command) {
    }

    private static final double[] PERCENTILES = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

    private Runner() {
    }

    public static RunResult run(Options o) throws Exception {
        List<String> warnings = new ArrayList<>();
        ServerProbe probe = new ServerProbe(o.kind(), o.host(), o.port(), o.serverPid(), o.gcLog());
        if (o.serverPid() > 0 && !probe.local()) {
            warnings.add("server pid " + o.serverPid() + " is not a process on this machine: no CPU or memory");
        }
        String prefix = "b" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "-";
        RunSpec spec = new RunSpec(o.kind(), o.host(), o.port(), o.transport(), o.channels(), prefix,
                o.pollIntervalMillis(), o.pollTimeoutSeconds(), o.clientThreads(), o.connectConcurrency(),
                o.sourceAddresses(), 20);
        String loadAverage = loadAverage();

        // 1. The server at rest: memory, and the CPU it burns doing nothing (timers, GC threads).
        if (o.serverGc()) {
            probe.gc();
        }
        long[] memory0 = probe.memory();
        long heap0 = probe.heapUsed();
        long idleCpu0 = probe.cpuNanos();
        long idleT0 = System.nanoTime();
        Thread.sleep(o.idle().toMillis());
        double idleRate = probe.local() ? (double) (probe.cpuNanos() - idleCpu0) / (System.nanoTime() - idleT0) : 0;

        // 2. Connect.
        List<Group> groups = new ArrayList<>();
        int perProcess = Math.max(1, o.perProcess());
        long connectT0 = System.nanoTime();
        try {
            if (o.subscribers() <= perProcess) {
                groups.add(new LocalGroup(spec, 0, o.subscribers()));
            } else {
                for (int first = 0; first < o.subscribers(); first += perProcess) {
                    groups.add(new RemoteGroup(spec, first, Math.min(perProcess, o.subscribers() - first),
                            o.workerJvmOptions()));
                }
            }
            CompletableFuture.allOf(groups.stream().map(Group::connect).toArray(CompletableFuture[]::new))
                    .get(120 + o.subscribers() / 50, TimeUnit.SECONDS);
            double connectSeconds = (System.nanoTime() - connectT0) / 1e9;
            int connected = groups.stream().mapToInt(Group::connectedCount).sum();
            if (connected < o.subscribers()) {
                warnings.add((o.subscribers() - connected) + " of " + o.subscribers()
                        + " subscribers failed to connect");
            }
            if (o.transport().held()) {
                awaitSubscriptions(probe, connected, warnings);
            }
            Thread.sleep(500);
            if (o.serverGc()) {
                probe.gc();
            }
            long[] memory1 = probe.memory();
            long heap1 = probe.heapUsed();

            // 3. Publish, then let delivery finish.
            int[] perChannel = new int[o.channels()];
            for (int i = 0; i < o.subscribers(); i++) {
                perChannel[i % o.channels()]++;
            }
            Publisher publisher = new Publisher(o.kind(), o.host(), o.port(), o.channels(), prefix, o.payloadBytes(),
                    perChannel);
            long window = (long) Math.max(1, o.windowPerSubscriber()) * Math.max(1, o.subscribers());
            LongSupplier delivered = () -> groups.stream().mapToLong(Group::delivered).sum();
            long warmupDeliveries = 0;
            long publishStart = System.nanoTime();
            if (o.warmup().toNanos() > 0) {
                publisher.warmUp(o.publishers(), o.rate(), o.warmup().toNanos(), window, delivered);
                warmupDeliveries = expected(publisher, perChannel);
                awaitDeliveries(delivered, warmupDeliveries, o.drain());
            }
            long gcMark = probe.gcLogMark();
            long cpu0 = probe.cpuNanos();
            long bench0 = benchCpu(groups);
            long t0 = System.nanoTime();
            publisher.run(o.publishers(), o.rate(), o.duration().toNanos(), window, delivered);
            long expected = expected(publisher, perChannel);
            awaitDeliveries(delivered, expected, o.drain());
            // Workers report progress every 20 ms: give the last report time to arrive before reading CPU.
            long t1 = System.nanoTime();
            long cpu1 = probe.cpuNanos();
            long bench1 = benchCpu(groups);
            ServerProbe.Pauses pauses = probe.gcPausesSince(gcMark);

            // 4. Check and add up.
            List<GroupResult> results = new ArrayList<>();
            for (Group g : groups) {
                results.add(g.finish(publisher.published()));
            }
            return result(o, warnings, loadAverage, connectSeconds, memory0, heap0, memory1, heap1, idleRate,
                    publisher, expected, warmupDeliveries, publishStart, t0, t1, cpu0, cpu1, bench0, bench1, pauses,
                    results, groups.size());
        } finally {
            for (Group g : groups) {
                g.close();
            }
        }
    }

    /** Deliveries the messages published so far owe the subscribers. */
    private static long expected(Publisher publisher, int[] perChannel) {
        long[] published = publisher.published();
        long expected = 0;
        for (int c = 0; c < perChannel.length; c++) {
            expected += published[c] * perChannel[c];
        }
        return expected;
    }

    private static void awaitDeliveries(LongSupplier delivered, long expected, Duration drain)
            throws InterruptedException {
        long drainEnd = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < drainEnd && delivered.getAsLong() < expected) {
            Thread.sleep(10);
        }
    }

    private static void awaitSubscriptions(ServerProbe probe, int connected, List<String> warnings)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            seen = probe.subscriptions();
            if (seen < 0 || seen >= connected) {
                return;
            }
            Thread.sleep(50);
        }
        warnings.add("the server registered " + seen + " subscriptions of " + connected + " connections in 30 s");
    }

    private static long benchCpu(List<Group> groups) {
        long self = ProcessHandle.current().pid();
        long sum = ServerProbe.processCpuNanos(self);
        for (Group g : groups) {
            if (g.pid() != self) {
                sum += ServerProbe.processCpuNanos(g.pid());
            }
        }
        return sum;
    }

    @SuppressWarnings("checkstyle:ParameterNumber")
    private static RunResult result(Options o, List<String> warnings, String loadAverage, double connectSeconds,
                                    long[] memory0, long heap0, long[] memory1, long heap1, double idleRate,
                                    Publisher publisher, long expected, long warmupDeliveries,
                                    long publishStart, long t0, long t1, long cpu0, long cpu1,
                                    long bench0, long bench1, ServerProbe.@Nullable Pauses pauses,
                                    List<GroupResult> results,
                                    int processes) throws DataFormatException {
        double seconds = (t1 - t0) / 1e9;
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        int connected = 0;
        int failed = 0;
        long delivered = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        long requests = 0;
        long reconnects = 0;
        long disconnects = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long missing = 0;
        long unexpected = 0;
        long resets = 0;
        long withProblems = 0;
        List<String> examples = new ArrayList<>();
        for (GroupResult r : results) {
            connected += r.connected();
            failed += r.connectFailed();
            delivered += r.delivered();
            bytesIn += r.bytesIn();
            bytesOut += r.bytesOut();
            requests += r.requests();
            reconnects += r.reconnects();
            disconnects += r.disconnects();
            duplicates += r.duplicates();
            outOfOrder += r.outOfOrder();
            missing += r.missing();
            unexpected += r.unexpected();
            resets += r.resets();
            withProblems += r.subscribersWithProblems();
            if (examples.size() < 5) {
                examples.addAll(r.problemExamples().subList(0, Math.min(5 - examples.size(),
                        r.problemExamples().size())));
            }
            byte[] bytes = Base64.getDecoder().decode(r.histogram());
            histogram.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0));
        }
        List<double[]> distribution = new ArrayList<>();
        if (histogram.getTotalCount() > 0) {
            for (double p : PERCENTILES) {
                distribution.add(new double[] {p, histogram.getValueAtPercentile(p)});
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        String encoded = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
        RunResult.Latency latency = new RunResult.Latency(histogram.getTotalCount(),
                histogram.getTotalCount() == 0 ? 0 : histogram.getMean(),
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue(),
                distribution, encoded);

        long published = publisher.totalPublished();
        double perDelivery = Math.max(1, delivered);
        RunResult.Wire wire = new RunResult.Wire(bytesIn, bytesOut, bytesIn / perDelivery, bytesOut / perDelivery,
                (bytesIn + bytesOut) / perDelivery, requests, requests / perDelivery,
                // Polling asks again all the time; a stream asks once per connection, so only its reconnects recur.
                // Counted over the warm-up too, like the requests.
                t1 <= publishStart ? 0
                        : (o.transport().polling() ? requests : reconnects) / ((t1 - publishStart) / 1e9) * 3600,
                published == 0 ? 0 : (double) (publisher.bytesOut() + publisher.bytesIn()) / published);

        boolean ok = duplicates == 0 && outOfOrder == 0 && missing == 0 && unexpected == 0 && resets == 0
                && disconnects == 0 && failed == 0 && publisher.errors() == 0;
        RunResult.Check check = new RunResult.Check(ok, duplicates, outOfOrder, missing, unexpected, resets,
                disconnects, reconnects, withProblems, examples, publisher.errors());
        if (!ok) {
            warnings.add("stream check failed: " + missing + " missing, " + duplicates + " duplicates, " + outOfOrder
                    + " out of order, " + resets + " resets, " + disconnects + " disconnects, " + failed
                    + " failed connections, " + publisher.errors() + " publish errors");
        }

        double runNanos = t1 - t0;
        double cpuRun = cpu1 - cpu0;
        double serverCpuPercent = cpu0 < 0 ? -1 : cpuRun / runNanos * 100;
        long measured = delivered - warmupDeliveries;
        double cpuPerDelivery = cpu0 < 0 || measured <= 0 ? -1
                : Math.max(0, cpuRun - idleRate * runNanos) / measured / 1000;
        if (serverCpuPercent > 95) {
            warnings.add("the server was CPU-bound (" + Math.round(serverCpuPercent) + "% of a core)");
        }
        double rssPer = memory0[0] < 0 || connected == 0 ? -1 : (double) (memory1[0] - memory0[0]) / connected;
        double pssPer = memory0[1] < 0 || connected == 0 ? -1 : (double) (memory1[1] - memory0[1]) / connected;
        double heapPer = heap0 < 0 || connected == 0 ? -1 : (double) (heap1 - heap0) / connected;
        Integer gcCount = pauses == null ? null : pauses.stops().length;
        Double gcMax = pauses == null ? null : pauses.max();
        if (gcMax != null && gcMax > 5) {
            warnings.add((pauses.fromSafepoints() ? "a safepoint pause of " : "a GC pause of ") + gcMax
                    + " ms (over 5 ms)");
        }
        // RSS can shrink a little between readings (malloc trimming); growth below zero counts as none.
        boolean readable = memory0[0] >= 0 && connected > 0;
        double memoryPer = !memoryMeasured(readable, o.heapPretouched(), o.serverGc()) ? -1
                : o.heapPretouched() ? Math.max(0, rssPer) + Math.max(0, heapPer) : rssPer;
        String memoryMethod = memoryMethod(readable, o.heapPretouched(), o.serverGc());
        RunResult.Server server = new RunResult.Server(o.serverPid(), idleRate * 100, serverCpuPercent,
                cpuPerDelivery, memoryPer, memoryMethod, memory0[0], memory1[0], rssPer, memory0[1], memory1[1], pssPer,
                heap0, heap1, heapPer,
                gcCount, gcMax, pauses == null ? null : pauses.fromSafepoints() ? "safepoint total" : "gc log",
                pauses == null || pauses.maxGross() < 0 ? null : pauses.maxGross(), publisher.maxLagNanos() / 1e6);

        int cores = Runtime.getRuntime().availableProcessors();
        double benchPercent = (bench1 - bench0) / runNanos * 100;
        boolean saturated = benchPercent > 90.0 * cores;
        if (saturated) {
            warnings.add("the load generator was saturated (" + Math.round(benchPercent) + "% of " + cores
                    + " core(s)): the numbers measure the bench, not the server");
        }
        if (publisher.maxLagNanos() > TimeUnit.MILLISECONDS.toNanos(50) && o.rate() > 0) {
            warnings.add("the publisher fell behind its schedule by up to " + publisher.maxLagNanos() / 1_000_000
                    + " ms");
        }
        RunResult.Bench bench = new RunResult.Bench(processes + (processes > 1 ? 1 : 0), cores, benchPercent,
                saturated);
        RunResult.Environment environment = new RunResult.Environment(Instant.now().toString(),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                machineCores(), loadAverage, o.command());
        RunResult.Connect connect = new RunResult.Connect(o.subscribers(), connected, failed, connectSeconds,
                connectSeconds > 0 ? connected / connectSeconds : 0);
        return new RunResult(o.name(), o.scenario(), o.kind().name().toLowerCase(java.util.Locale.ROOT),
                "http://" + o.host() + ":" + o.port(), o.transport().wireName(), o.subscribers(), o.channels(),
                o.rate() > 0 ? trim(o.rate()) : "max", o.payloadBytes(), seconds, connect, published, expected,
                delivered, warmupDeliveries, seconds > 0 ? measured / seconds : 0, latency, wire, check, server, bench,
                environment, warnings);
    }

    /**
     * Whether memory per connection has a figure. With the heap pre-touched, RSS growth is native memory only and
     * the heap's growth has to be added; that growth counts only live data after a full GC, so without one
     * ({@code --no-server-gc}) there is no figure rather than one inflated by garbage.
     */
    static boolean memoryMeasured(boolean readable, boolean heapPretouched, boolean serverGc) {
        return readable && (!heapPretouched || serverGc);
    }

    /** How memory per connection is read, or why it is not (see {@link #memoryMeasured}). */
    static String memoryMethod(boolean readable, boolean heapPretouched, boolean serverGc) {
        if (!readable) {
            return "not measured";
        }
        if (!memoryMeasured(true, heapPretouched, serverGc)) {
            return "not measured: the heap is pre-touched and no full GC was requested (--no-server-gc)";
        }
        return heapPretouched ? "RSS growth (heap pre-touched: native memory) + live heap growth after full GC"
                : "RSS growth";
    }

    static String trim(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate)
                : java.math.BigDecimal.valueOf(rate).round(new java.math.MathContext(4)).stripTrailingZeros()
                .toPlainString();
    }

    private static int machineCores() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return (int) lines.filter(l -> l.startsWith("processor")).count();
        } catch (Exception e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
