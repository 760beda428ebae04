package dev.herald.redis;

import dev.herald.core.ChannelId;
import dev.herald.core.Member;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PresenceEvent.Action;
import dev.herald.core.PresenceLimitException;
import dev.herald.core.PresenceSnapshot;
import dev.herald.core.spi.PresenceListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cluster-wide presence: two "nodes" (broker + presence each) on one real redis-server. */
class RedisPresenceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ChannelId ROOM = ChannelId.of("room");

    private static RedisServer redis;

    private final String prefix = "p" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + ":";
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    /** One node's presence, subscribed to {@link #ROOM} as the hub would be, recording what it hears. */
    private Node node(int maxMembers, Duration ttl) {
        RedisBroker broker = RedisBroker.create(RedisBrokerConfig.builder(redis.uri()).keyPrefix(prefix)
                .presenceTtl(ttl).build());
        open.add(broker);
        broker.start(message -> { });
        RedisPresence presence = RedisPresence.create(broker, maxMembers);
        open.add(presence);
        Recorder recorder = new Recorder();
        presence.start(recorder);
        await(broker.subscribe(ROOM));
        return new Node(broker, presence, recorder);
    }

    private Node node() {
        return node(100, Duration.ofSeconds(30));
    }

    private record Node(RedisBroker broker, RedisPresence presence, Recorder heard) {
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Member member(String connection, String client) {
        return new Member(connection, client);
    }

    @Test
    void joinsOnEveryNodeAreSeenByEveryNodeInRevisionOrder() {
        Node one = node();
        Node two = node();
        Member alice = member("c1", "alice");
        Member bob = member("c2", "bob");

        await(one.presence().join(ROOM, alice));
        await(two.presence().join(ROOM, bob));

        for (Node node : List.of(one, two)) {
            List<PresenceEvent> events = node.heard().await(2, e -> true);
            assertThat(events).extracting(PresenceEvent::action).containsExactly(Action.JOIN, Action.JOIN);
            assertThat(events).extracting(PresenceEvent::member).containsExactly(alice, bob);
            assertThat(events.get(1).revision()).isGreaterThan(events.get(0).revision());
        }
        PresenceSnapshot snapshot = await(two.presence().members(ROOM));
        assertThat(snapshot.members()).containsExactly(alice, bob);
        assertThat(snapshot.revision()).isEqualTo(one.heard().events().get(1).revision());
    }

    @Test
    void leaveIsAnnouncedEverywhereAndAnEmptyChannelLeavesNoKeys() {
        Node one = node();
        Node two = node();
        Member alice = member("c1", "alice");
        await(one.presence().join(ROOM, alice));

        await(one.presence().leave(ROOM, alice));

        PresenceEvent leave = two.heard().await(2, e -> true).get(1);
        assertThat(leave.action()).isEqualTo(Action.LEAVE);
        assertThat(leave.member()).isEqualTo(alice);
        assertThat(await(two.presence().members(ROOM)).members()).isEmpty();
        assertThat(redis.cli("EXISTS", one.broker().keys().presence(ROOM), one.broker().keys().presenceExpiry(ROOM)))
                .isEqualTo("0");
        assertThat(one.presence().localMemberCount()).isZero();
    }

    @Test
    void aConnectionJoinsOnceAndAFullChannelRefusesMore() {
        Node node = node(1, Duration.ofSeconds(30));
        await(node.presence().join(ROOM, member("c1", "alice")));

        assertThatThrownBy(() -> node.presence().join(ROOM, member("c1", "alice")).join())
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> node.presence().join(ROOM, member("c2", "bob")).join())
                .hasCauseInstanceOf(PresenceLimitException.class);
    }

    @Test
    void membersOfANodeThatDiedWithoutLeavingExpireAndLeaveEverywhere() throws Exception {
        Node doomed = node(100, Duration.ofSeconds(1));
        Node survivor = node(100, Duration.ofSeconds(1));
        Member ghost = member("c1", "ghost");
        Member alive = member("c2", "alive");
        await(doomed.presence().join(ROOM, ghost));
        await(survivor.presence().join(ROOM, alive));

        doomed.presence().close();   // no leave: as if the process were killed
        doomed.broker().close();

        PresenceEvent leave = survivor.heard().await(1, e -> e.action() == Action.LEAVE).get(0);
        assertThat(leave.member()).isEqualTo(ghost);
        assertThat(await(survivor.presence().members(ROOM)).members()).containsExactly(alive);
    }

    @Test
    void membersRedisLostAreAddedBackByTheirNodesHeartbeat() {
        Node node = node(100, Duration.ofSeconds(1));
        Member alice = member("c1", "alice");
        await(node.presence().join(ROOM, alice));
        redis.cli("DEL", node.broker().keys().presence(ROOM), node.broker().keys().presenceExpiry(ROOM));

        List<PresenceEvent> joins = node.heard().await(2, e -> e.action() == Action.JOIN);

        assertThat(joins.get(1).member()).isEqualTo(alice);
        assertThat(await(node.presence().members(ROOM)).members()).containsExactly(alice);
    }

    @Test
    void aRestoredSubscriptionHandsOverTheWholeList() {
        Node one = node();
        Node two = node();
        Member alice = member("c1", "alice");
        await(one.presence().join(ROOM, alice));
        two.heard().await(1, e -> true);

        redis.cli("CLIENT", "KILL", "TYPE", "pubsub");

        for (Node node : List.of(one, two)) {
            PresenceEvent sync = node.heard().await(1, e -> e.action() == Action.SYNC).get(0);
            assertThat(sync.members()).containsExactly(alice);
        }
    }

    /** Records presence changes and lets a test wait for them. Thread-safe. */
    private static final class Recorder implements PresenceListener {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<PresenceEvent> events = new ArrayList<>();

        @Override
        public void onPresence(PresenceEvent event) {
            lock.lock();
            try {
                events.add(event);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        List<PresenceEvent> events() {
            lock.lock();
            try {
                return List.copyOf(events);
            } finally {
                lock.unlock();
            }
        }

        /** Waits until {@code n} recorded events match {@code filter}; returns the matching ones. */
        List<PresenceEvent> await(int n, Predicate<PresenceEvent> filter) {
            lock.lock();
            try {
                long remaining = TIMEOUT.toNanos();
                while (true) {
                    List<PresenceEvent> matching = events.stream().filter(filter).toList();
                    if (matching.size() >= n) {
                        return matching;
                    }
                    if (remaining <= 0) {
                        throw new AssertionError("expected " + n + " matching presence events within " + TIMEOUT
                                + " but got " + events);
                    }
                    remaining = changed.awaitNanos(remaining);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                lock.unlock();
            }
        }
    }
}
