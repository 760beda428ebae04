package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveConnectionsTest {

    /** Counts its ticks. */
    private static final class Counting implements LiveConnections.Live {
        int ticks;

        @Override
        public void shutdown() {
        }

        @Override
        public void tick(long nowNanos) {
            ticks++;
        }
    }

    @Test
    void aPassInPartsTicksEveryConnectionExactlyOnce() {
        LiveConnections live = new LiveConnections();
        List<Counting> all = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Counting connection = new Counting();
            all.add(connection);
            live.add(connection);
        }
        for (int parts : new int[] {1, 3, LiveConnections.SLICES}) {
            all.forEach(c -> c.ticks = 0);
            for (int part = 0; part < parts; part++) {
                live.tick(0, part, parts);
            }
            assertThat(all).as("%d parts", parts).allSatisfy(c -> assertThat(c.ticks).isEqualTo(1));
        }
        live.remove(all.get(0));
        assertThat(live.size()).isEqualTo(999);
    }

    @Test
    void theSpreadShortensAnIntervalByUpToAQuarterAndDiffersBetweenConnections() {
        long interval = 15_000_000_000L;
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            long spread = LiveConnections.spread(new Counting(), interval);
            assertThat(spread).isBetween(interval - interval / 4 + 1, interval);
            seen.add(spread);
        }
        assertThat(seen).as("distinct intervals among 1,000 connections").hasSizeGreaterThan(900);
        assertThat(LiveConnections.spread(new Counting(), 3)).isEqualTo(3);
    }
}
