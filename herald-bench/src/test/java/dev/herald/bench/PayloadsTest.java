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
    void marksWarmUpMessages() {
        long[] parsed = new long[3];

        assertThat(Payloads.parse(Payloads.encode(7, 99L, 64, true), 0, 64, parsed)).isTrue();
        assertThat(parsed).containsExactly(7, 99L, 1);
        assertThat(Payloads.parse(Payloads.encode(7, 99L, 64, false), 0, 64, parsed)).isTrue();
        assertThat(parsed).containsExactly(7, 99L, 0);
        // No padding at all: not a warm-up message, and no read past the end.
        byte[] bare = "7 99 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Payloads.parse(bare, 0, bare.length, parsed)).isTrue();
        assertThat(parsed[2]).isZero();
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
