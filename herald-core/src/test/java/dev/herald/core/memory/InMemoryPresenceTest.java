package dev.herald.core.memory;

import dev.herald.core.ChannelId;
import dev.herald.core.Member;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PresenceLimitException;
import dev.herald.core.PresenceSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)   // a lost completion fails the test instead of hanging the build
class InMemoryPresenceTest {

    private static final ChannelId ROOM = ChannelId.of("room");
    private static final Member ALICE = new Member("c1", "alice");
    private static final Member BOB = new Member("c2", "bob");

    private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private InMemoryPresence presence = started(InMemoryPresence.builder().maxMembers(2).build());

    private InMemoryPresence started(InMemoryPresence created) {
        created.start(event -> {
            threads.add(Thread.currentThread());
            events.add(event);
        });
        return created;
    }

    @AfterEach
    void close() {
        presence.close();
    }

    @Test
    void joinsAndLeavesAreAnnouncedInOrderWithIncreasingRevisions() {
        presence.join(ROOM, ALICE).join();
        presence.join(ROOM, BOB).join();
        presence.leave(ROOM, ALICE).join();

        await(() -> events.size() == 3);
        assertThat(events).extracting(PresenceEvent::action).containsExactly(
                PresenceEvent.Action.JOIN, PresenceEvent.Action.JOIN, PresenceEvent.Action.LEAVE);
        assertThat(events).extracting(PresenceEvent::member).containsExactly(ALICE, BOB, ALICE);
        assertThat(events.get(0).revision()).isLessThan(events.get(1).revision());
        assertThat(events.get(1).revision()).isLessThan(events.get(2).revision());
    }

    @Test
    void announcesOnAnotherThreadThanTheCaller() {
        presence.join(ROOM, ALICE).join();
        await(() -> events.size() == 1);
        assertThat(threads).doesNotContain(Thread.currentThread());
    }

    @Test
    void membersListsWhoIsInInJoinOrderWithTheRevisionOfTheLastChange() {
        presence.join(ROOM, BOB).join();
        presence.join(ROOM, ALICE).join();
        await(() -> events.size() == 2);

        PresenceSnapshot snapshot = presence.members(ROOM).join();

        assertThat(snapshot.channel()).isEqualTo(ROOM);
        assertThat(snapshot.members()).containsExactly(BOB, ALICE);
        assertThat(snapshot.revision()).isGreaterThanOrEqualTo(events.get(1).revision());
    }

    @Test
    void anEmptyChannelHasNoMembersAndLeavesNothingBehind() {
        assertThat(presence.members(ChannelId.of("nobody")).join().members()).isEmpty();
        presence.join(ROOM, ALICE).join();
        presence.leave(ROOM, ALICE).join();

        assertThat(presence.members(ROOM).join().members()).isEmpty();
        assertThat(presence.channelCount()).isZero();
    }

    @Test
    void leavingWhenNotAMemberIsIgnored() {
        presence.leave(ROOM, ALICE).join();
        presence.join(ROOM, ALICE).join();
        presence.leave(ROOM, new Member("c1", "mallory")).join();   // same connection, other member: not it

        assertThat(presence.members(ROOM).join().members()).containsExactly(ALICE);
        await(() -> events.size() == 1);
    }

    @Test
    void joinBeyondTheLimitFailsAndChangesNothing() {
        presence.join(ROOM, ALICE).join();
        presence.join(ROOM, BOB).join();

        assertThatThrownBy(() -> presence.join(ROOM, new Member("c3", "carol")).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(PresenceLimitException.class)
                .hasMessageContaining("2 members");
        assertThat(presence.members(ROOM).join().members()).containsExactly(ALICE, BOB);
    }

    @Test
    void oneConnectionJoinsAChannelOnce() {
        presence.join(ROOM, ALICE).join();
        assertThatThrownBy(() -> presence.join(ROOM, ALICE).join()).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void afterCloseOperationsFail() {
        presence.close();
        assertThatThrownBy(() -> presence.join(ROOM, ALICE).join()).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> presence.members(ROOM).join()).hasCauseInstanceOf(IllegalStateException.class);
    }

    /**
     * The contract the hub relies on: replaying the announced changes with a revision above a snapshot's onto that
     * snapshot gives the final member list, whenever the snapshot was taken, while joins and leaves race.
     */
    @Test
    void aSnapshotPlusTheLaterChangesAlwaysGivesTheFinalList() throws InterruptedException {
        presence.close();
        presence = started(InMemoryPresence.builder().maxMembers(1000).build());
        int threadCount = 4;
        int rounds = 300;
        List<PresenceSnapshot> snapshots = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threadCount + 1);
        CountDownLatch done = new CountDownLatch(threadCount);
        for (int t = 0; t < threadCount; t++) {
            int thread = t;
            pool.execute(() -> {
                for (int i = 0; i < rounds; i++) {
                    Member member = new Member("t" + thread + "-" + (i % 5), "client" + thread);
                    presence.join(ROOM, member).exceptionally(failure -> null).join();
                    if (i % 3 != 0) {
                        presence.leave(ROOM, member).join();
                    }
                }
                done.countDown();
            });
        }
        pool.execute(() -> {
            // At least one snapshot, even when the writers finish before this task starts.
            do {
                snapshots.add(presence.members(ROOM).join());
            } while (done.getCount() > 0);
        });
        assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        PresenceSnapshot last = presence.members(ROOM).join();
        await(() -> events.isEmpty() || events.get(events.size() - 1).revision() == last.revision());

        List<PresenceEvent> announced = new ArrayList<>(events);
        for (int i = 1; i < announced.size(); i++) {
            assertThat(announced.get(i).revision()).isGreaterThan(announced.get(i - 1).revision());
        }
        assertThat(snapshots).isNotEmpty();
        for (PresenceSnapshot snapshot : snapshots) {
            Map<String, Member> members = new LinkedHashMap<>();
            snapshot.members().forEach(m -> members.put(m.connectionId(), m));
            for (PresenceEvent event : announced) {
                if (event.revision() <= snapshot.revision()) {
                    continue;
                }
                if (event.action() == PresenceEvent.Action.JOIN) {
                    assertThat(members.put(event.member().connectionId(), event.member()))
                            .as("join of a member the snapshot already had").isNull();
                } else {
                    assertThat(members.remove(event.member().connectionId()))
                            .as("leave of a member the snapshot did not have").isNotNull();
                }
            }
            assertThat(members.values()).containsExactlyInAnyOrderElementsOf(last.members());
        }
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
