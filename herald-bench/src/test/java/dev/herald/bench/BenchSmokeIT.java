package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.HeraldServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every scenario, briefly, against an in-process Herald: the run completes, every stream checks out, and the
 * result and report have their structure. No timing assertions: this machine's load is not ours to control.
 */
class BenchSmokeIT {

    private static HeraldServer server;

    @BeforeAll
    static void start() {
        server = HeraldServer.start(HeraldServerConfig.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"SSE", "LONGPOLL", "SHORTPOLL"})
    void fanOutAtAFixedRate_deliversEveryMessageToEverySubscriber(Transport transport) throws Exception {
        RunResult r = Runner.run(BenchFixtures.options("fan-out", server.port(), transport, 6, 2, 20, 1000));

        assertIntact(r);
        assertThat(r.transport()).isEqualTo(transport.wireName());
        assertThat(r.rate()).isEqualTo("20");
        assertThat(r.wire().requests()).isPositive();
        if (transport.polling()) {
            assertThat(r.wire().requestsPerDelivery()).isPositive();
        }
    }

    @Test
    void asFastAsPossible_keepsEveryStreamIntact() throws Exception {
        RunResult r = Runner.run(BenchFixtures.options("as fast as possible", server.port(), Transport.SSE, 4, 1, 0,
                1000));

        assertIntact(r);
        assertThat(r.rate()).isEqualTo("max");
    }

    @Test
    void warmUpMessages_areCheckedButLeftOutOfLatencyAndRate() throws Exception {
        // Worker processes too: the warm-up mark travels in the payload, so a worker needs no word of it.
        RunResult r = Runner.run(BenchFixtures.options("warm-up", server.port(), Transport.SSE, 6, 2, 20, 3,
                Duration.ofMillis(500)));

        assertIntact(r);
        assertThat(r.warmupDeliveries()).isPositive().isLessThan(r.delivered());
        assertThat(r.latency().count()).isEqualTo(r.delivered() - r.warmupDeliveries());
        assertThat(r.published()).isGreaterThan((long) (20 * 2 * 1.5));   // the measured 1.5 s alone publishes 60
    }

    @Test
    void subscribersInWorkerProcesses_areAddedUp() throws Exception {
        RunResult r = Runner.run(BenchFixtures.options("workers", server.port(), Transport.SSE, 6, 3, 10, 3));

        assertIntact(r);
        assertThat(r.bench().processes()).isEqualTo(3);   // two workers and the coordinator
        assertThat(r.connect().connected()).isEqualTo(6);
    }

    @Test
    void notificationsScenario_comparesTransportsAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("results.json");
        int code = BenchMain.commandLine().execute("notifications", "--url=http://127.0.0.1:" + server.port(),
                "--users=8", "--server-pid=" + ProcessHandle.current().pid(), "--event-every=250ms",
                "--poll-interval=300ms", "--duration=1500ms", "--idle=100ms",
                "--no-server-gc", "--transport=shortpoll,longpoll,sse", "--json=" + json);

        assertThat(code).isZero();
        Results results = Results.read(json);
        assertThat(results.runs()).extracting(RunResult::transport).containsExactly("shortpoll", "longpoll", "sse");
        for (RunResult r : results.runs()) {
            assertIntact(r);
            assertThat(r.scenario()).isEqualTo("notifications");
            if (r.transport().endsWith("poll")) {
                assertThat(r.wire().requestsPerHour()).isPositive();
            } else {
                assertThat(r.wire().requestsPerHour()).isZero();   // one request per connection, no reconnects
            }
        }
        String html = Files.readString(dir.resolve("results.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg", "notifications", "Requests per hour")
                .doesNotContain("<script", "http://www.w3.org/1999/xlink", "src=\"http");
    }

    @Test
    void floor_isAppendedToTheResults(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        int code = BenchMain.commandLine().execute("floor", "--connections=4", "--writes=2000", "--json=" + json);

        assertThat(code).isZero();
        List<Floor.Result> floors = new ArrayList<>(Results.read(json).floors());
        assertThat(floors).hasSize(1);
        assertThat(floors.get(0).cpuMicrosPerWrite()).isPositive();
        assertThat(Files.readString(dir.resolve("r.html"))).contains("Floor");
    }

    @Test
    void floor_pacedAndPinned_recordsItsWavesAndCores(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        int last = Runtime.getRuntime().availableProcessors() - 1;
        int code = BenchMain.commandLine().execute("floor", "--connections=10", "--writes=100",
                "--wave-interval=20ms", "--writer-core=0", "--reader-core=" + last, "--json=" + json);

        assertThat(code).isZero();
        Floor.Result f = Results.read(json).floors().get(0);
        assertThat(f.waveIntervalMillis()).isEqualTo(20);
        assertThat(f.cores()).isEqualTo("writer 0, reader " + last);
        assertThat(f.writes()).isEqualTo(100);
        // Ten waves 20 ms apart: the wall time per write shows the pauses were kept.
        assertThat(f.wallMicrosPerWrite()).isGreaterThanOrEqualTo(9 * 20_000 / 100.0);
        assertThat(f.cpuMicrosPerWrite()).isPositive();
    }

    @Test
    void report_drawsThePacedFloorNearestTheScenario() {
        Floor.Result tight = floor(1000, 0, 5.0);
        Floor.Result paced1k = floor(1000, 100, 7.9);
        Floor.Result paced9k = floor(9000, 1000, 8.6);

        assertThat(HtmlReport.floorFor(List.of(tight, paced1k, paced9k), 10_000)).isEqualTo(8.6);
        assertThat(HtmlReport.floorFor(List.of(tight, paced1k, paced9k), 1000)).isEqualTo(7.9);
        assertThat(HtmlReport.floorFor(List.of(tight), 10_000)).isEqualTo(5.0);
        assertThat(HtmlReport.floorFor(List.of(), 10_000)).isEqualTo(-1);
    }

    private static Floor.Result floor(int connections, long waveMillis, double cpu) {
        return new Floor.Result("java-nio-write", "test", connections, 100, 1000, cpu, cpu, "2026-11-21",
                waveMillis, "any");
    }

    static void assertIntact(RunResult r) {
        assertThat(r.check().ok()).as("stream check: %s", r.warnings()).isTrue();
        assertThat(r.published()).isPositive();
        assertThat(r.delivered()).isEqualTo(r.expectedDeliveries());
        assertThat(r.latency().count()).isEqualTo(r.delivered() - r.warmupDeliveries());
        assertThat(r.latency().distribution()).isNotEmpty();
        assertThat(r.latency().p50()).isLessThanOrEqualTo(r.latency().p99());
        assertThat(r.latency().p99()).isLessThanOrEqualTo(r.latency().max());
        assertThat(r.wire().bytesIn()).isPositive();
        assertThat(r.wire().bytesOut()).isPositive();
        assertThat(r.serverStats().cpuPercent()).isNotNegative();
        assertThat(r.bench().cores()).isPositive();
        assertThat(r.environment().date()).isNotBlank();
        assertThat(r.connect().connected()).isEqualTo(r.subscribers());
    }
}
