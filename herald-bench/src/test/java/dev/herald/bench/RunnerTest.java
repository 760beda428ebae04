package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunnerTest {

    @Test
    void memoryPerConnection_isNotReadFromAPretouchedHeapWithoutAFullGc() {
        assertThat(Runner.memoryMethod(true, true, true)).contains("live heap growth after full GC");
        assertThat(Runner.memoryMethod(true, true, false)).startsWith("not measured");
        assertThat(Runner.memoryMethod(true, false, false)).isEqualTo("RSS growth");
        assertThat(Runner.memoryMethod(false, true, true)).isEqualTo("not measured");
        assertThat(Runner.memoryMeasured(true, true, false)).isFalse();
        assertThat(Runner.memoryMeasured(true, true, true)).isTrue();
        assertThat(Runner.memoryMeasured(true, false, false)).isTrue();
        assertThat(Runner.memoryMeasured(false, false, true)).isFalse();
    }
}
