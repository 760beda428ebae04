package dev.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the bench reads about the server: CPU (per-thread schedstat, i.e. utime+stime at nanosecond resolution,
 * summed over the process and its descendants, e.g. nginx's workers), memory ({@code VmRSS}, and {@code Pss} from
 * {@code smaps_rollup}, which splits shared memory such as Nchan's shared zone fairly between master and worker),
 * its own stats endpoint, and GC pauses from a {@code -Xlog:gc*,safepoint} file.
 */
public final class ServerProbe {

    /** Linux's USER_HZ, the unit of utime/stime; 100 on every mainstream kernel configuration. */
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1) / 100;
    private static final Pattern PAUSE = Pattern.compile("Pause.*?(\\d+(?:\\.\\d+)?)ms\\s*$");
    /**
     * Shenandoah's per-cycle gross pause ({@code gc+stats}: "Pause Init Mark (G)  77 us"): from the collector's
     * request to the pause's end, so it also holds the wait for the VM thread's turn on the CPU, during which the
     * application still runs. On a server pinned to one core that wait reaches milliseconds.
     */
    private static final Pattern GROSS_PAUSE = Pattern.compile("Pause.*\\(G\\)\\s+(\\d+)\\s+us\\s*$");
    /**
     * The JVM's own record of a stop ({@code -Xlog:safepoint}): "Total" runs from the first thread told to stop
     * (reaching the safepoint included) to the last one let go, the time the application stood still.
     */
    private static final Pattern SAFEPOINT = Pattern.compile("Safepoint \"[^\"]*\".*Total: (\\d+) ns");

    private final ServerKind kind;
    private final String host;
    private final int port;
    private final long pid;
    private final @Nullable Path gcLog;

    public ServerProbe(ServerKind kind, String host, int port, long pid, @Nullable Path gcLog) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.pid = pid;
        this.gcLog = gcLog;
    }

    public boolean local() {
        return pid > 0 && Files.isDirectory(Path.of("/proc/" + pid));
    }

    public long pid() {
        return pid;
    }

    /** CPU time used so far by the server and its descendants, in nanoseconds; -1 when unknown. */
    public long cpuNanos() {
        if (!local()) {
            return -1;
        }
        long sum = 0;
        for (long p : processes()) {
            sum += processCpuNanos(p);
        }
        return sum;
    }

    /**
     * CPU time of one process, nanoseconds: the sum over its threads of {@code /proc/<pid>/task/<tid>/schedstat}'s
     * first field (time on a CPU, user and system, at nanosecond resolution), so that short runs are not rounded
     * to utime+stime's 10 ms ticks. Falls back to utime+stime from {@code /proc/<pid>/stat} where schedstat is
     * missing. (A thread that exits takes its schedstat time with it; the servers measured here keep theirs.)
     */
    public static long processCpuNanos(long pid) {
        Path tasks = Path.of("/proc/" + pid + "/task");
        long sum = 0;
        boolean any = false;
        try (var dirs = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) dirs::iterator) {
                String schedstat = read(task.resolve("schedstat"));
                if (schedstat != null && !schedstat.isBlank()) {
                    sum += Long.parseLong(schedstat.trim().split(" ")[0]);
                    any = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            any = false;
        }
        return any ? sum : cpuTicks(pid) * TICK_NANOS;
    }

    private static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat"));
        if (stat == null) {
            return 0;
        }
        // Fields after the parenthesised command name: state(3) ppid(4) ... utime(14) stime(15).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {rssBytes, pssBytes} summed over the server's processes; -1s when unknown. */
    public long[] memory() {
        if (!local()) {
            return new long[] {-1, -1};
        }
        long rss = 0;
        long pss = 0;
        for (long p : processes()) {
            rss += kb(read(Path.of("/proc/" + p + "/status")), "VmRSS:");
            String rollup = read(Path.of("/proc/" + p + "/smaps_rollup"));
            pss += rollup == null ? 0 : kb(rollup, "Pss:");
        }
        return new long[] {rss * 1024, pss * 1024};
    }

    private static long kb(@Nullable String text, String key) {
        if (text == null) {
            return 0;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    /** The server process and every descendant. */
    public List<Long> processes() {
        List<Long> out = new ArrayList<>();
        out.add(pid);
        for (int i = 0; i < out.size(); i++) {
            long parent = out.get(i);
            ProcessHandle.of(parent).ifPresent(h -> h.children().forEach(c -> out.add(c.pid())));
        }
        return out;
    }

    /** Asks a local JVM server for a full GC (jcmd), so that heap figures are live data, not garbage. */
    public void gc() {
        if (!local() || kind != ServerKind.HERALD) {
            return;
        }
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.run").redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no jcmd: heap figures then include garbage, which the report says
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server's stats body, or null. */
    public @Nullable String stats() {
        try {
            return get(kind.statsPath());
        } catch (IOException e) {
            return null;
        }
    }

    /** Subscriptions the server reports, or -1. */
    public long subscriptions() {
        String body = stats();
        return body == null ? -1 : kind.subscriptions(body);
    }

    /** Heap in use as Herald reports it ({@code heapUsedBytes}), or -1. */
    public long heapUsed() {
        if (kind != ServerKind.HERALD) {
            return -1;
        }
        String body = stats();
        if (body == null) {
            return -1;
        }
        Matcher m = Pattern.compile("\"heapUsedBytes\":\\s*(\\d+)").matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Current length of the GC log, to read only what a run adds. */
    public long gcLogMark() {
        try {
            return gcLog == null || !Files.exists(gcLog) ? 0 : Files.size(gcLog);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Pauses logged since a mark, in milliseconds. {@code stops}: every safepoint's total when the log has the
     * {@code safepoint} tag (GC pauses and every other stop; the stricter count), else each GC pause line's figure
     * and Shenandoah's gross one. {@code maxGross}: the longest Shenandoah gross pause, -1 when none.
     */
    public record Pauses(double[] stops, boolean fromSafepoints, double maxGross) {
        public double max() {
            return java.util.Arrays.stream(stops).max().orElse(0);
        }
    }

    /** Pauses logged since {@code mark}; null when no log was given. */
    public @Nullable Pauses gcPausesSince(long mark) {
        if (gcLog == null || !Files.exists(gcLog)) {
            return null;
        }
        try {
            byte[] all = Files.readAllBytes(gcLog);
            String added = new String(all, (int) Math.min(mark, all.length), (int) Math.max(0, all.length - mark),
                    StandardCharsets.UTF_8);
            List<Double> stops = new ArrayList<>();
            List<Double> gcLines = new ArrayList<>();
            double maxGross = -1;
            for (String line : added.split("\n")) {
                Matcher safepoint = SAFEPOINT.matcher(line);
                Matcher m = PAUSE.matcher(line);
                Matcher gross = GROSS_PAUSE.matcher(line);
                if (safepoint.find()) {
                    stops.add(Long.parseLong(safepoint.group(1)) / 1e6);
                } else if (m.find()) {
                    gcLines.add(Double.parseDouble(m.group(1)));
                } else if (gross.find()) {
                    double ms = Double.parseDouble(gross.group(1)) / 1000;
                    gcLines.add(ms);
                    maxGross = Math.max(maxGross, ms);
                }
            }
            boolean fromSafepoints = !stops.isEmpty();
            return new Pauses((fromSafepoints ? stops : gcLines).stream().mapToDouble(Double::doubleValue).toArray(),
                    fromSafepoints, maxGross);
        } catch (IOException e) {
            return null;
        }
    }

    /** A GET with a fresh connection; returns the body. */
    public String get(String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? "" : response.substring(body + 4);
        }
    }

    private static @Nullable String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return null;
        }
    }
}
