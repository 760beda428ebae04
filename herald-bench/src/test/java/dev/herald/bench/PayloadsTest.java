package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PayloadsTest {

    @Test
    void encodesSequenceAndTimestampPaddedToTheSize() {
        byte[] payload = Payloads.encode(42, 123456789L, 64);
        long[] parsed = new long[2];

        assertThat(payload).hasSize(64);
        assertThat(Payloads.parse(payload, 0, payload.length, parsed)).isTrue();
        assertThat(parsed).containsExactly(42, 123456789L);
    }

    @Test
    void growsPastTheSizeRatherThanTruncateTheNumbers() {
        assertThat(Payloads.encode(1234567, 1234567890123L, 4).length).isGreaterThan(4);
    }

    @Test
    void refusesTextThatIsNotABenchPayload() {
        assertThat(Payloads.parse("hello", new long[2])).isFalse();
        assertThat(Payloads.parse("12", new long[2])).isFalse();
    }
}
