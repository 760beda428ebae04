package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProbeTest {

    private static final String SHENANDOAH_LINES = """
            [10.000s][info][gc          ] GC(3) Pause Init Mark (unload classes) 0.051ms
            [10.010s][info][gc,stats    ] Pause Init Mark (G)                5470 us
            [10.010s][info][gc,stats    ] Pause Init Mark (N)                  51 us
            """;

    @Test
    void pausesComeFromTheSafepointTotalsWhenLogged(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, "[1.000s][info][gc] GC(0) Pause Init Mark 9.000ms\n");   // before the mark
        ServerProbe probe = new ServerProbe(ServerKind.HERALD, "127.0.0.1", 1, -1, log);
        long mark = probe.gcLogMark();
        Files.writeString(log, SHENANDOAH_LINES
                + "[10.010s][info][safepoint   ] Safepoint \"ShenandoahInitMark\", Time since last: 16469588 ns, "
                + "Reaching safepoint: 105797 ns, At safepoint: 85387 ns, Leaving safepoint: 3605 ns, "
                + "Total: 194789 ns, Threads: 1 runnable, 13 total\n"
                + "[11.000s][info][safepoint   ] Safepoint \"Cleanup\", Time since last: 1000000 ns, "
                + "Reaching safepoint: 1000 ns, At safepoint: 2000 ns, Leaving safepoint: 1000 ns, "
                + "Total: 4000 ns, Threads: 0 runnable, 13 total\n",
                java.nio.file.StandardOpenOption.APPEND);

        ServerProbe.Pauses pauses = probe.gcPausesSince(mark);

        assertThat(pauses.fromSafepoints()).isTrue();
        assertThat(pauses.stops()).containsExactly(0.194789, 0.004);
        assertThat(pauses.max()).isEqualTo(0.194789);
        assertThat(pauses.maxGross()).isEqualTo(5.47);
    }

    @Test
    void withoutSafepointLines_theGcLinesAndTheGrossPausesCount(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, SHENANDOAH_LINES);
        ServerProbe probe = new ServerProbe(ServerKind.HERALD, "127.0.0.1", 1, -1, log);

        ServerProbe.Pauses pauses = probe.gcPausesSince(0);

        assertThat(pauses.fromSafepoints()).isFalse();
        assertThat(pauses.stops()).containsExactly(0.051, 5.47);
        assertThat(pauses.max()).isEqualTo(5.47);
    }
}
