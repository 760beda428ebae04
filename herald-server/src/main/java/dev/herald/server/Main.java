package dev.herald.server;

import dev.herald.core.HeraldUnavailableException;
import dev.herald.redis.RedisBrokerConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald serve [options]}: the command line. */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Herald: a real-time push server (WebSocket, SSE, long polling, short polling).",
        subcommands = {Main.Serve.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .registerConverter(Duration.class, Main::duration)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code 15s}, {@code 200ms}, {@code 2m}, {@code 1h}, {@code 3d}, or ISO-8601 ({@code PT15S}). */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (e.g. 200ms, 15s, 5m, 1h)");
        }
    }

    /** {@code 65536}, {@code 64k}/{@code 64KiB}, {@code 1m}/{@code 1MiB}, {@code 1g}. */
    static long bytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        try {
            long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1;
            };
            String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
            return Math.multiplyExact(Long.parseLong(digits.trim()), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a size (e.g. 65536, 64KiB, 1MiB)");
        }
    }

    static final class Bytes implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Herald " + HeraldServer.version()};
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            sortOptions = false,
            description = "Start a Herald server: in-memory by default, or one node of a cluster on Redis "
                    + "(--broker redis://host:port).")
    static final class Serve implements Callable<Integer> {

        @Option(names = "--host", defaultValue = "${env:HERALD_HOST:-127.0.0.1}",
                description = "Interface to bind (env HERALD_HOST). Default: ${DEFAULT-VALUE}.")
        String host;

        @Option(names = "--port", defaultValue = "${env:HERALD_PORT:-8080}",
                description = "TCP port, 0 for any free one (env HERALD_PORT). Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(names = "--io-threads", description = "Netty event-loop threads. Default: one per core.")
        Integer ioThreads;

        @Option(names = "--history-size", defaultValue = "1000",
                description = "Messages kept per channel for resume and polling. Default: ${DEFAULT-VALUE}.")
        int historySize;

        @Option(names = "--history-age", defaultValue = "1h",
                description = "How long a message is kept. Default: ${DEFAULT-VALUE}.")
        Duration historyAge;

        @Option(names = "--history-bytes", defaultValue = "4MiB", converter = Bytes.class,
                description = "Bytes kept per channel. Default: ${DEFAULT-VALUE}.")
        long historyBytes;

        @Option(names = "--history-total-bytes", defaultValue = "256MiB", converter = Bytes.class,
                description = "Bytes kept across all channels. Default: ${DEFAULT-VALUE}.")
        long historyTotalBytes;

        @Option(names = "--max-channels", defaultValue = "100000",
                description = "Channels held at once. Default: ${DEFAULT-VALUE}.")
        int maxChannels;

        @Option(names = "--max-message-size", defaultValue = "64KiB", converter = Bytes.class,
                description = "Largest payload accepted; larger gets 413. Default: ${DEFAULT-VALUE}.")
        long maxMessageBytes;

        @Option(names = "--max-channels-per-request", defaultValue = "16",
                description = "Channels one SSE stream or poll may name. Default: ${DEFAULT-VALUE}.")
        int maxChannelsPerRequest;

        @Option(names = "--sse-keepalive", defaultValue = "15s",
                description = "Keep-alive comment interval on idle SSE streams. Default: ${DEFAULT-VALUE}.")
        Duration sseKeepAlive;

        @Option(names = "--sse-retry", defaultValue = "2s",
                description = "Reconnect delay hinted to EventSource (retry:). Default: ${DEFAULT-VALUE}.")
        Duration sseRetry;

        @Option(names = "--poll-timeout", defaultValue = "30s",
                description = "How long a long poll is held when it names no timeout. Default: ${DEFAULT-VALUE}.")
        Duration pollTimeout;

        @Option(names = "--poll-timeout-max", defaultValue = "120s",
                description = "Longest timeout a long poll may ask for. Default: ${DEFAULT-VALUE}.")
        Duration pollTimeoutMax;

        @Option(names = "--max-outbound-bytes", defaultValue = "1MiB", converter = Bytes.class,
                description = "Unsent bytes one connection may queue before it is closed as a slow consumer. "
                        + "Default: ${DEFAULT-VALUE}.")
        long maxOutboundBytes;

        @Option(names = "--request-timeout", defaultValue = "30s",
                description = "Close a connection that sends no complete request for this long. Default: "
                        + "${DEFAULT-VALUE}.")
        Duration requestTimeout;

        @Option(names = "--shutdown-grace", defaultValue = "10s",
                description = "How long shutdown waits for clients to leave. Default: ${DEFAULT-VALUE}.")
        Duration shutdownGrace;

        @Option(names = "--ws-ping-interval", defaultValue = "15s",
                description = "How often each WebSocket is pinged. Default: ${DEFAULT-VALUE}.")
        Duration wsPingInterval;

        @Option(names = "--ws-ping-timeout", defaultValue = "10s",
                description = "Close a WebSocket (4009) that answers nothing this long after a ping. Default: "
                        + "${DEFAULT-VALUE}.")
        Duration wsPingTimeout;

        @Option(names = "--ws-max-subscriptions", defaultValue = "100",
                description = "Channels one WebSocket may subscribe to at once. Default: ${DEFAULT-VALUE}.")
        int wsMaxSubscriptions;

        @Option(names = "--ws-compression", negatable = true, defaultValue = "false", fallbackValue = "true",
                description = "Offer permessage-deflate to WebSocket clients. Default: off.")
        boolean wsCompression;

        @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
                description = "Origins (scheme://host[:port], *.domain allowed, or *) that may open a WebSocket "
                        + "besides the server's own. Default: same origin only.")
        List<String> allowedOrigins = List.of();

        @Option(names = "--presence-max-members", defaultValue = "1000",
                description = "Members one channel's presence may hold. Default: ${DEFAULT-VALUE}.")
        int presenceMaxMembers;

        // The default is spelled out, not ${DEFAULT-VALUE}: that would print HERALD_BROKER, password and all.
        @Option(names = "--broker", defaultValue = "${env:HERALD_BROKER:-memory}",
                description = "memory, or redis://[[user:]password@]host[:port][/db] (rediss:// for TLS) to run as "
                        + "one node of a cluster sharing that Redis. Env HERALD_BROKER keeps a password out of the "
                        + "process list. Default: memory.")
        String broker;

        @Option(names = "--redis-key-prefix", defaultValue = "herald:",
                description = "Prefix of every Redis key and pub/sub channel Herald uses. Default: ${DEFAULT-VALUE}.")
        String redisKeyPrefix;

        @Option(names = "--redis-timeout", defaultValue = "1s",
                description = "How long a publish or history read waits for Redis before answering 503. Default: "
                        + "${DEFAULT-VALUE}.")
        Duration redisTimeout;

        @Option(names = "--redis-presence-ttl", defaultValue = "30s",
                description = "How long a presence member outlives its node's last heartbeat: the longest the "
                        + "members of a node that died stay listed. Default: ${DEFAULT-VALUE}.")
        Duration redisPresenceTtl;

        @Option(names = "--redis-tls-ca", paramLabel = "PEM",
                description = "With rediss://: trust the certificates in this PEM file (a private CA or a self-signed "
                        + "Redis certificate) instead of the JVM's trust store.")
        java.nio.file.Path redisTlsCa;

        @Option(names = "--demo", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Run the demo publishers that feed the pages at / (demo.metrics, demo.notifications, "
                        + "demo.tokens; a few dozen small messages a second). Turn off in production with "
                        + "--no-demo. Default: on.")
        boolean demo;

        @Override
        public Integer call() throws InterruptedException {
            HeraldServerConfig.Builder builder = HeraldServerConfig.builder()
                    .host(host).port(port)
                    .historySize(historySize).historyAge(historyAge)
                    .historyBytes(historyBytes).historyTotalBytes(historyTotalBytes)
                    .maxChannels(maxChannels)
                    .maxMessageBytes(Math.toIntExact(maxMessageBytes))
                    .maxChannelsPerRequest(maxChannelsPerRequest)
                    .sseKeepAlive(sseKeepAlive).sseRetry(sseRetry)
                    .pollTimeout(pollTimeout).pollTimeoutMax(pollTimeoutMax)
                    .maxOutboundBytes(Math.toIntExact(maxOutboundBytes))
                    .requestTimeout(requestTimeout)
                    .shutdownGrace(shutdownGrace)
                    .wsPingInterval(wsPingInterval).wsPingTimeout(wsPingTimeout)
                    .wsMaxSubscriptions(wsMaxSubscriptions).wsCompression(wsCompression)
                    .allowedOrigins(allowedOrigins)
                    .presenceMaxMembers(presenceMaxMembers)
                    .demo(demo);
            if (ioThreads != null) {
                builder.ioThreads(ioThreads);
            }
            HeraldServerConfig config;
            try {
                config = builder.redis(redis()).build();
            } catch (IllegalArgumentException e) {
                System.err.println("herald: " + e.getMessage());
                return 2;
            }
            HeraldServer server;
            try {
                server = HeraldServer.start(config);
            } catch (HeraldUnavailableException e) {
                System.err.println("herald: " + e.getMessage());   // e.g. Redis unreachable; the URI is redacted
                return 1;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = new Thread(server::close, "herald-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            boolean handled = onSignal("TERM", stop::countDown) & onSignal("INT", stop::countDown);
            System.out.println("Herald listening on http://" + hostForUrl(server.address().getHostString()) + ":"
                    + server.port());
            System.out.flush();
            if (!handled) {
                new CountDownLatch(1).await();   // no signal handling: the shutdown hook closes the server
            }
            stop.await();
            // A graceful stop is a success: exit 0, not the 143 a JVM reports when a signal ends it.
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            return 0;
        }

        /** Routes a signal to {@code action}; false when this JVM does not allow it (the shutdown hook remains). */
        @SuppressWarnings("removal")
        private static boolean onSignal(String name, Runnable action) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
                return true;
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                return false;
            }
        }

        /** The Redis broker's settings from {@code --broker} and the history options, or null for in-memory. */
        private @Nullable RedisBrokerConfig redis() {
            if (broker.equalsIgnoreCase("memory")) {
                return null;
            }
            if (!RedisBrokerConfig.isRedisUri(broker)) {
                throw new IllegalArgumentException("--broker must be memory or a redis:// or rediss:// URI, not "
                        + RedisBrokerConfig.redact(broker));
            }
            return RedisBrokerConfig.builder(broker)
                    .keyPrefix(redisKeyPrefix)
                    .historySize(historySize)
                    .historyAge(historyAge)
                    .commandTimeout(redisTimeout)
                    .presenceTtl(redisPresenceTtl)
                    .tlsCaCert(redisTlsCa)
                    .build();
        }

        private static String hostForUrl(String host) {
            return host.contains(":") ? "[" + host + "]" : host;
        }
    }
}
