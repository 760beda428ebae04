package dev.herald.core;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ManualClockTest {

    @Test
    void standsStillUntilAdvanced() {
        ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));

        Instant first = clock.instant();
        clock.advance(Duration.ofMillis(1500));

        assertThat(first).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-01T12:00:01.500Z"));
        assertThat(clock.millis()).isEqualTo(first.toEpochMilli() + 1500);
    }

    @Test
    void zonedViewSharesTheTime() {
        ManualClock clock = new ManualClock();
        var paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofMinutes(1));

        assertThat(paris.instant()).isEqualTo(clock.instant());
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }

    @Test
    void refusesToGoBackwards() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ManualClock().advance(Duration.ofSeconds(-1)))
                .withMessage("a manual clock only moves forward: PT-1S");
    }
}
