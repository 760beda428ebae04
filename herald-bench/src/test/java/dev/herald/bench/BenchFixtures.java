package dev.herald.bench;

import java.time.Duration;
import java.util.List;

/** Short, small runs for tests: seconds, a handful of subscribers, no timing assertions. */
final class BenchFixtures {

    private BenchFixtures() {
    }

    static Runner.Options options(String scenario, int port, Transport transport, int subscribers, int channels,
                                  double rate, int perProcess) {
        return options(scenario, port, transport, subscribers, channels, rate, perProcess, Duration.ZERO);
    }

    static Runner.Options options(String scenario, int port, Transport transport, int subscribers, int channels,
                                  double rate, int perProcess, Duration warmup) {
        return new Runner.Options("test-" + transport.wireName(), scenario, ServerKind.HERALD, "127.0.0.1", port,
                ProcessHandle.current().pid(), null, false, false, transport, subscribers, channels, rate, 4, 64,
                warmup, Duration.ofMillis(1500), Duration.ofMillis(200), Duration.ofSeconds(10), 300, 5, perProcess, 1,
                50, 2, 2, List.of("-Xmx256m", "-XX:+UseSerialGC"), "test");
    }
}
