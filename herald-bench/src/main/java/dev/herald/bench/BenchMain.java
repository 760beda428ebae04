package dev.herald.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code herald bench …}: the load generator's command line. Every command appends its results to a JSON file
 * and rewrites the HTML report next to it.
 */
@Command(name = "herald bench", mixinStandardHelpOptions = true,
        description = "Measure a Herald (or Nchan) server: latency, CPU, bytes and memory per delivery.",
        subcommands = {BenchMain.Run.class, BenchMain.Notifications.class, BenchMain.FloorCommand.class,
            BenchMain.Report.class, BenchMain.Worker.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new BenchMain()).registerConverter(Duration.class, BenchMain::duration)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code 500ms}, {@code 20s}, {@code 2m}. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            double n = Double.parseDouble(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofMillis((long) (n * 1000));
                case 'm' -> Duration.ofMillis((long) (n * 60_000));
                case 'h' -> Duration.ofMillis((long) (n * 3_600_000));
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (e.g. 500ms, 20s, 2m)");
        }
    }

    /** The server under test, and where results go. */
    static final class Target {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
                description = "Server base URL (loopback only). Default: ${DEFAULT-VALUE}.")
        URI url;

        @Option(names = "--server", defaultValue = "herald",
                description = "Server kind: herald or nchan (nginx with herald-bench/nchan/nginx.conf). "
                        + "Default: ${DEFAULT-VALUE}.")
        String server;

        @Option(names = "--server-pid", defaultValue = "0",
                description = "Server process id (with its children, e.g. nginx workers) for CPU and memory; "
                        + "0: not measured.")
        long serverPid;

        @Option(names = "--gc-log", description = "The server's -Xlog:gc file, for GC pauses during each run.")
        Path gcLog;

        // A negatable option that is true by default needs fallbackValue "true" too, or picocli reads --no-server-gc
        // as the default, i.e. true.
        @Option(names = "--server-gc", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Ask a local Herald for a full GC (jcmd) before memory readings. Default: true. "
                        + "Each request also restarts Shenandoah's learning phase (more cycles for a while): turn it "
                        + "off where memory is not the point.")
        boolean serverGc;

        @Option(names = "--heap-pretouched",
                description = "The server is a JVM started with -Xms = -Xmx and -XX:+AlwaysPreTouch: its RSS growth "
                        + "is native memory, and memory per connection adds the live heap growth.")
        boolean heapPretouched;

        @Option(names = "--json", defaultValue = "bench-results/results.json",
                description = "Results file; runs are appended. Default: ${DEFAULT-VALUE}.")
        Path json;

        @Option(names = "--html", description = "HTML report to (re)write. Default: the results file with .html.")
        Path html;

        @Option(names = "--scenario", description = "Heading that groups these runs in the report.")
        String scenario;

        @Option(names = "--duration", defaultValue = "20s",
                description = "Publishing time per run. Default: ${DEFAULT-VALUE}.")
        Duration duration;

        @Option(names = "--warmup", defaultValue = "0s",
                description = "Publishing before the measured time, at the same rate: its messages are checked but "
                        + "left out of latency, rate and CPU (the bench's own JIT is still compiling then). "
                        + "Default: ${DEFAULT-VALUE}.")
        Duration warmup;

        @Option(names = "--idle", defaultValue = "2s",
                description = "Idle-server CPU measurement before each run. Default: ${DEFAULT-VALUE}.")
        Duration idle;

        @Option(names = "--drain", defaultValue = "15s",
                description = "Longest wait for outstanding deliveries after publishing. Default: ${DEFAULT-VALUE}.")
        Duration drain;

        @Option(names = "--payload-size", defaultValue = "64",
                description = "Payload bytes per message. Default: ${DEFAULT-VALUE}.")
        int payloadBytes;

        @Option(names = "--per-process", defaultValue = "15000",
                description = "Subscribers per load-generator process; more spawn worker processes "
                        + "(each process may open at most ~20,000 files). Default: ${DEFAULT-VALUE}.")
        int perProcess;

        @Option(names = "--client-threads", defaultValue = "1",
                description = "Netty event loops per load-generator process. Default: ${DEFAULT-VALUE}.")
        int clientThreads;

        @Option(names = "--connect-concurrency", defaultValue = "200",
                description = "Connection attempts in flight per process. Default: ${DEFAULT-VALUE}.")
        int connectConcurrency;

        @Option(names = "--source-addresses", defaultValue = "8",
                description = "Spread connections over source addresses 127.0.0.1..N. Default: ${DEFAULT-VALUE}.")
        int sourceAddresses;

        @Option(names = "--publishers", defaultValue = "4",
                description = "Publishing connections (channels are split among them). Default: ${DEFAULT-VALUE}.")
        int publishers;

        @Option(names = "--window", defaultValue = "8",
                description = "In the 'max' regime, undelivered messages allowed per subscriber. "
                        + "Default: ${DEFAULT-VALUE}.")
        int window;

        @Option(names = "--poll-interval", defaultValue = "5s",
                description = "Short-poll interval. Default: ${DEFAULT-VALUE}.")
        Duration pollInterval;

        @Option(names = "--poll-timeout", defaultValue = "30",
                description = "Long-poll hold time asked of the server, seconds. Default: ${DEFAULT-VALUE}.")
        int pollTimeout;

        @Option(names = "--worker-jvm-option", description = "JVM option for worker processes (repeatable).")
        List<String> workerJvm = new ArrayList<>(List.of("-Xmx2g", "-XX:+UseSerialGC"));

        Runner.Options options(String name, String scenarioName, Transport transport, int subscribers,
                               int channels, double rate, String command) {
            String host = url.getHost();
            if (!host.equals("localhost") && !host.startsWith("127.") && !host.equals("[::1]")) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "the bench sends load to loopback addresses only, not " + host);
            }
            int port = url.getPort() > 0 ? url.getPort() : 80;
            return new Runner.Options(name, scenario != null ? scenario : scenarioName, ServerKind.parse(server),
                    host.equals("localhost") ? "127.0.0.1" : host, port, serverPid, gcLog, serverGc, heapPretouched,
                    transport,
                    subscribers, channels, rate, window, payloadBytes, warmup, duration, idle, drain,
                    (int) pollInterval.toMillis(), pollTimeout, perProcess, clientThreads, connectConcurrency,
                    host.startsWith("127.") ? sourceAddresses : 1, publishers, workerJvm, command);
        }

        Path htmlPath() {
            if (html != null) {
                return html;
            }
            String name = json.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return json.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".html");
        }

        void save(List<RunResult> runs, List<Floor.Result> floors) throws Exception {
            Results all = Results.read(json);
            all.runs().addAll(runs);
            all.floors().addAll(floors);
            all.write(json);
            Files.writeString(htmlPath(), HtmlReport.render(all));
            System.out.println("results: " + json.toAbsolutePath() + "\nreport:  " + htmlPath().toAbsolutePath());
        }
    }

    static void print(RunResult r) {
        System.out.printf(Locale.ROOT, "%-34s %7.0f deliv/s  p50 %6d  p99 %7d  p99.9 %7d  max %7d µs | "
                        + "CPU %6s µs/deliv (server %s%%) | %6s B/deliv | %5s req/deliv | mem %6s B/conn"
                        + " | pause max %s ms (GC gross %s)"
                        + " | connect %s/s | bench %s%%%s | %s%n",
                r.name(), r.deliveriesPerSecond(), r.latency().p50(), r.latency().p99(), r.latency().p999(),
                r.latency().max(), HtmlReport.fmt(r.serverStats().cpuMicrosPerDelivery()),
                HtmlReport.fmt(r.serverStats().cpuPercent()), HtmlReport.fmt(r.wire().totalPerDelivery()),
                HtmlReport.fmt(r.wire().requestsPerDelivery()),
                HtmlReport.fmt(r.serverStats().memoryPerConnectionBytes()),
                HtmlReport.fmt(r.serverStats().gcMaxPauseMillis()),
                HtmlReport.fmt(r.serverStats().gcMaxGrossPauseMillis()),
                HtmlReport.fmt(r.connect().perSecond()), HtmlReport.fmt(r.bench().cpuPercent()),
                r.bench().saturated() ? " SATURATED" : "",
                r.check().ok() ? "check ok" : String.join("; ", r.warnings()));
        System.out.flush();
    }

    static String commandText(CommandLine.Model.CommandSpec spec) {
        return "herald bench " + spec.name() + " "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Run load points (subscribers × rate per channel) over one or more transports.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--transport", split = ",", defaultValue = "sse",
                description = "ws, sse, longpoll, shortpoll (comma-separated). Default: ${DEFAULT-VALUE}.")
        List<String> transports;

        @Option(names = "--load", split = ",", defaultValue = "1000x10",
                description = "Load points SUBSCRIBERSxRATE, rate = messages/s per channel or 'max' "
                        + "(e.g. 1000x10,10000x1,1000xmax). Default: ${DEFAULT-VALUE}.")
        List<String> loads;

        @Option(names = "--channels", defaultValue = "1",
                description = "Channels the subscribers are spread over. Default: ${DEFAULT-VALUE}.")
        int channels;

        @Override
        public Integer call() throws Exception {
            List<RunResult> runs = new ArrayList<>();
            for (String load : loads) {
                String[] parts = load.toLowerCase(Locale.ROOT).split("x", 2);
                int subscribers = Integer.parseInt(parts[0].trim());
                double rate = parts.length < 2 || parts[1].trim().equals("max") ? 0 : Double.parseDouble(parts[1]);
                for (String t : transports) {
                    Transport transport = Transport.parse(t);
                    String name = target.server + "-" + transport.wireName() + "-" + subscribers + "x"
                            + (rate > 0 ? Runner.trim(rate) : "max");
                    RunResult r = Runner.run(target.options(name, rate > 0 ? "fan-out" : "as fast as possible",
                            transport, subscribers, Math.min(channels, subscribers), rate, commandText(spec)));
                    print(r);
                    runs.add(r);
                }
            }
            target.save(runs, List.of());
            return runs.stream().allMatch(r -> r.check().ok()) ? 0 : 1;
        }
    }

    @Command(name = "notifications", mixinStandardHelpOptions = true, sortOptions = false,
            description = "U users, one event per user every --event-every, each user on their own channel: "
                    + "short polling vs long polling vs SSE (vs WebSocket).")
    static final class Notifications implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--users", defaultValue = "2000", description = "Users. Default: ${DEFAULT-VALUE}.")
        int users;

        @Option(names = "--event-every", defaultValue = "60s",
                description = "One event per user this often. Default: ${DEFAULT-VALUE}.")
        Duration every;

        @Option(names = "--transport", split = ",", defaultValue = "shortpoll,longpoll,sse",
                description = "Transports to compare. Default: ${DEFAULT-VALUE}.")
        List<String> transports;

        @Override
        public Integer call() throws Exception {
            List<RunResult> runs = new ArrayList<>();
            double rate = 1000.0 / every.toMillis();
            for (String t : transports) {
                Transport transport = Transport.parse(t);
                String name = target.server + "-notifications-" + transport.wireName() + "-" + users;
                RunResult r = Runner.run(target.options(name, "notifications", transport, users, users, rate,
                        commandText(spec)));
                print(r);
                runs.add(r);
            }
            target.save(runs, List.of());
            return runs.stream().allMatch(r -> r.check().ok()) ? 0 : 1;
        }
    }

    @Command(name = "floor", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Measure the CPU of one small write to a loopback socket on this machine.")
    static final class FloorCommand implements Callable<Integer> {
        @Option(names = "--connections", defaultValue = "1000",
                description = "Sockets written in turn. Default: ${DEFAULT-VALUE}.")
        int connections;

        @Option(names = "--size", defaultValue = "100", description = "Bytes per write. Default: ${DEFAULT-VALUE}.")
        int size;

        @Option(names = "--writes", defaultValue = "300000", description = "Writes. Default: ${DEFAULT-VALUE}.")
        long writes;

        @Option(names = "--wave-interval", defaultValue = "0ms",
                description = "One write to every connection (a wave) per interval, as a server delivers a "
                        + "message rate; 0ms: waves back to back. Default: ${DEFAULT-VALUE}.")
        Duration waveInterval;

        @Option(names = "--writer-core", defaultValue = "-1",
                description = "Core to pin the writing thread to; -1: any. Default: ${DEFAULT-VALUE}.")
        int writerCore;

        @Option(names = "--reader-core", defaultValue = "-1",
                description = "Core to pin the reading thread to; -1: any. Default: ${DEFAULT-VALUE}.")
        int readerCore;

        @Option(names = "--json", defaultValue = "bench-results/results.json",
                description = "Results file to append to. Default: ${DEFAULT-VALUE}.")
        Path json;

        @Option(names = "--html", description = "HTML report to (re)write. Default: the results file with .html.")
        Path html;

        @Override
        public Integer call() throws Exception {
            Floor.Result f = Floor.measure(connections, size, writes, waveInterval.toMillis(),
                    new Floor.Cores(writerCore, readerCore));
            System.out.printf(Locale.ROOT, "floor: %.2f µs CPU per %d-byte write over %d connections, %s "
                    + "(%.2f µs wall; cores: %s)%n", f.cpuMicrosPerWrite(), size, connections,
                    f.waveIntervalMillis() > 0 ? "a wave every " + f.waveIntervalMillis() + " ms" : "back to back",
                    f.wallMicrosPerWrite(), f.cores());
            Target t = new Target();
            t.json = json;
            t.html = html;
            t.save(List.of(), List.of(f));
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Rewrite the HTML report from a results file.")
    static final class Report implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "Results JSON file.")
        Path json;

        @Option(names = {"-o", "--html"}, description = "HTML file. Default: the results file with .html.")
        Path html;

        @Override
        public Integer call() throws Exception {
            Target t = new Target();
            t.json = json;
            t.html = html;
            Files.writeString(t.htmlPath(), HtmlReport.render(Results.read(json)));
            System.out.println("report: " + t.htmlPath().toAbsolutePath());
            return 0;
        }
    }

    /** A worker process: see {@link RemoteGroup}. */
    @Command(name = "worker", hidden = true)
    static final class Worker implements Callable<Integer> {
        @Option(names = "--first", required = true)
        int first;

        @Option(names = "--count", required = true)
        int count;

        @Override
        public Integer call() throws Exception {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            RunSpec runSpec = Json.COMPACT.readValue(in.readLine(), RunSpec.class);
            try (LocalGroup group = new LocalGroup(runSpec, first, count)) {
                group.connect().get(10, TimeUnit.MINUTES);
                System.out.println("CONNECTED " + group.connectedCount() + " " + group.failedCount());
                System.out.flush();
                ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "bench-progress");
                    t.setDaemon(true);
                    return t;
                });
                progress.scheduleAtFixedRate(() -> {
                    System.out.println("P " + group.delivered());
                    System.out.flush();
                }, 0, runSpec.progressMillis(), TimeUnit.MILLISECONDS);
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("FINISH ")) {
                        long[] published = Json.COMPACT.readValue(line.substring(7), long[].class);
                        progress.shutdownNow();
                        GroupResult result = group.finish(published);
                        synchronized (System.out) {
                            System.out.println("RESULT " + Json.COMPACT.writeValueAsString(result));
                            System.out.flush();
                        }
                        return 0;
                    }
                }
                return 1;
            }
        }
    }
}
