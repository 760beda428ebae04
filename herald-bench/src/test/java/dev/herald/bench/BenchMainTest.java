package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchMainTest {

    private static BenchMain.Target target(String... args) {
        CommandLine.ParseResult parsed = BenchMain.commandLine().parseArgs(args);
        BenchMain.Run run = (BenchMain.Run) parsed.subcommand().commandSpec().userObject();
        return run.target;
    }

    @Test
    void serverGcIsOnUnlessTurnedOff() {
        assertThat(target("run").serverGc).isTrue();
        assertThat(target("run", "--server-gc").serverGc).isTrue();
        assertThat(target("run", "--no-server-gc").serverGc).isFalse();
    }

    @Test
    void memoryPerConnection_isNotReadFromAPretouchedHeapWithoutAFullGc() {
        assertThat(Runner.memoryMethod(true, true, true)).contains("live heap growth after full GC");
        assertThat(Runner.memoryMethod(true, true, false)).startsWith("not measured");
        assertThat(Runner.memoryMethod(true, false, false)).isEqualTo("RSS growth");
        assertThat(Runner.memoryMethod(false, true, true)).isEqualTo("not measured");
    }
}
