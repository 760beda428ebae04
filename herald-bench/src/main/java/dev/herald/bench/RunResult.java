package dev.herald.bench;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One load point against one server over one transport: what the JSON file holds per run and the HTML report
 * draws. Times are microseconds unless a name says otherwise; "per delivery" divides by messages received by
 * subscribers. {@code delivered} counts every delivery the stream check saw, {@code warmupDeliveries} those of the
 * warm-up's messages, which latency, deliveries per second and CPU per delivery leave out.
 */
public record RunResult(
        String name,
        String scenario,
        String server,
        String url,
        String transport,
        int subscribers,
        int channels,
        String rate,
        int payloadBytes,
        double seconds,
        Connect connect,
        long published,
        long expectedDeliveries,
        long delivered,
        long warmupDeliveries,
        double deliveriesPerSecond,
        Latency latency,
        Wire wire,
        Check check,
        Server serverStats,
        Bench bench,
        Environment environment,
        List<String> warnings) {

    /** Connecting the subscribers. */
    public record Connect(int attempted, int connected, int failed, double seconds, double perSecond) {
    }

    /** Publish-to-delivery latency; {@code distribution} holds [percentile, micros] pairs. */
    public record Latency(long count, double mean, long p50, long p90, long p99, long p999, long max,
                          List<double[]> distribution, String histogram) {
    }

    /**
     * Subscriber bytes counted at the socket, both directions, headers and framing included. {@code requests}
     * counts every HTTP request (and WebSocket upgrade); {@code requestsPerHour} is the recurring rate: all
     * requests for polling, only reconnects for streams (which ask once per connection).
     */
    public record Wire(long bytesIn, long bytesOut, double inPerDelivery, double outPerDelivery,
                       double totalPerDelivery, long requests, double requestsPerDelivery, double requestsPerHour,
                       double publishBytesPerMessage) {
    }

    /** The loss/duplicate/order check over every subscriber's stream. */
    public record Check(boolean ok, long duplicates, long outOfOrder, long missing, long unexpected, long resets,
                        long disconnects, long reconnects, long subscribersWithProblems, List<String> examples,
                        long publishErrors) {
    }

    /**
     * The server process, when it runs on this machine. CPU per delivery is the run's CPU time less the idle rate
     * measured before connecting, divided by deliveries. Memory per connection is the growth from before
     * connecting to all connected and idle, divided by connections. For a JVM whose heap is pre-touched
     * ({@code -Xms = -Xmx, -XX:+AlwaysPreTouch}) the heap is all resident before the first connection, so RSS
     * growth is native memory only and {@code memoryPerConnectionBytes} adds the live heap growth after a full GC;
     * otherwise it is the RSS growth ({@code memoryMethod} says which). Pauses come from the server's GC log:
     * with its {@code safepoint} tag, {@code gcPauses} and {@code gcMaxPauseMillis} count every stop of the
     * application (GC or not) by the JVM's safepoint total ({@code gcPauseMethod} "safepoint total"); else each
     * GC pause line ("gc log"). {@code gcMaxGrossPauseMillis} is Shenandoah's gross figure, which adds the wait
     * for the VM thread to be scheduled, while the application runs on.
     */
    public record Server(long pid, double idleCpuPercent, double cpuPercent, double cpuMicrosPerDelivery,
                         double memoryPerConnectionBytes, String memoryMethod,
                         long rssBaselineBytes, long rssConnectedBytes, double rssPerConnectionBytes,
                         long pssBaselineBytes, long pssConnectedBytes, double pssPerConnectionBytes,
                         long heapBaselineBytes, long heapConnectedBytes, double heapPerConnectionBytes,
                         @Nullable Integer gcPauses, @Nullable Double gcMaxPauseMillis,
                         @Nullable String gcPauseMethod, @Nullable Double gcMaxGrossPauseMillis,
                         double publisherMaxLagMillis) {
    }

    /** The load generator itself: all its processes' CPU over the run, against the cores it may use. */
    public record Bench(int processes, int cores, double cpuPercent, boolean saturated) {
    }

    /** Where and when. */
    public record Environment(String date, String benchJdk, String os, int machineCores, String loadAverage,
                              String command) {
    }
}
