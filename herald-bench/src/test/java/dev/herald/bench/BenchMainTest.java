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
}
