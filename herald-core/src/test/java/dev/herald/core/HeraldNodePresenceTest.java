package dev.herald.core;

import dev.herald.core.memory.InMemoryPresence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)   // a lost completion fails the test instead of hanging the build
class HeraldNodePresenceTest {

    private static final ChannelId ROOM = ChannelId.of("room");

    private final HeraldNode node = HeraldNode.builder()
            .presence(InMemoryPresence.builder().maxMembers(3).build())
            .build();

    @AfterEach
    void close() {
        node.close();
    }

    @Test
    void aPresenceSubscriptionGetsTheListWithItselfThenOthersJoiningAndLeaving() {
        Recorder alice = new Recorder();
        Subscription a = node.subscribe(ROOM, null, alice, new Member("c1", "alice")).join();
        alice.await(1);
        assertThat(alice.events.get(0).action()).isEqualTo(PresenceEvent.Action.SYNC);
        assertThat(alice.events.get(0).members()).containsExactly(new Member("c1", "alice"));

        Recorder bob = new Recorder();
        Subscription b = node.subscribe(ROOM, null, bob, new Member("c2", "bob")).join();
        alice.await(2);
        assertThat(alice.events.get(1).action()).isEqualTo(PresenceEvent.Action.JOIN);
        assertThat(alice.events.get(1).member()).isEqualTo(new Member("c2", "bob"));
        bob.await(1);
        assertThat(bob.events.get(0).members()).containsExactly(new Member("c1", "alice"), new Member("c2", "bob"));

        b.close();
        alice.await(3);
        assertThat(alice.events.get(2).action()).isEqualTo(PresenceEvent.Action.LEAVE);
        assertThat(alice.events.get(2).member()).isEqualTo(new Member("c2", "bob"));
        assertThat(node.presence(ROOM).join().members()).containsExactly(new Member("c1", "alice"));

        a.close();
        assertThat(node.presence(ROOM).join().members()).isEmpty();
        assertThat(bob.events).hasSize(1);
    }

    @Test
    void aSubscriptionThatDidNotAskSeesNoPresenceAndIsNoMember() {
        Recorder plain = new Recorder();
        node.subscribe(ROOM, null, plain).join();
        node.subscribe(ROOM, null, new Recorder(), new Member("c1", "alice")).join();

        assertThat(node.presence(ROOM).join().members()).containsExactly(new Member("c1", "alice"));
        assertThat(plain.events).isEmpty();
    }

    @Test
    void aFullChannelRefusesTheSubscriptionAndKeepsNothingOfIt() {
        for (int i = 0; i < 3; i++) {
            node.subscribe(ROOM, null, new Recorder(), new Member("c" + i, "user" + i)).join();
        }
        assertThatThrownBy(() -> node.subscribe(ROOM, null, new Recorder(), new Member("c9", "late")).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(PresenceLimitException.class);
        assertThat(node.subscriptionCount()).isEqualTo(3);
        assertThat(node.presence(ROOM).join().members()).hasSize(3);
    }

    @Test
    void aPresenceSubscriptionStillGetsMessages() {
        Recorder alice = new Recorder();
        node.subscribe(ROOM, null, alice, new Member("c1", "alice")).join();
        node.publish(ROOM, Payload.text("hi"), PublishOptions.DEFAULT).join();
        await(() -> alice.messages.size() == 1);
        assertThat(alice.messages.get(0).payload().asText()).isEqualTo("hi");
    }

    @Test
    void aSubscriberThatRefusesPresenceIsClosedAsSlowAndLeaves() {
        Recorder alice = new Recorder();
        node.subscribe(ROOM, null, alice, new Member("c1", "alice")).join();
        Recorder full = new Recorder();
        full.refuse = true;
        assertThatThrownBy(() -> node.subscribe(ROOM, null, full, new Member("c2", "bob")).join())
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(full.closes).containsExactly(CloseReason.SLOW_CONSUMER);
        // alice saw bob come and go (or neither, if the leave overtook her buffer); bob is gone either way.
        await(() -> node.presence(ROOM).join().members().size() == 1);
        await(() -> alice.events.size() == 1 || alice.events.size() == 3);
    }

    /** Whatever the interleaving, each subscriber's list (sync plus changes) ends equal to the channel's. */
    @Test
    void everyViewConvergesWhileMembersComeAndGo() throws InterruptedException {
        HeraldNode big = HeraldNode.builder().build();
        try {
            List<Recorder> recorders = new CopyOnWriteArrayList<>();
            List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 40; i++) {
                        Recorder recorder = new Recorder();
                        recorders.add(recorder);
                        Subscription s = big.subscribe(ROOM, null, recorder, new Member("t" + thread + "x" + i,
                                "u" + thread)).join();
                        if (i % 2 == 0) {
                            s.close();
                            recorders.remove(recorder);
                        } else {
                            subscriptions.add(s);
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            List<Member> expected = big.presence(ROOM).join().members();
            assertThat(expected).hasSize(80);
            for (Recorder recorder : recorders) {
                // Changes arrive asynchronously: wait for this view to settle on the channel's list.
                await(() -> Set.copyOf(recorder.view()).equals(Set.copyOf(expected)));
                assertThat(recorder.view()).containsExactlyInAnyOrderElementsOf(expected);
            }
        } finally {
            big.close();
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

    /** Records presence events and messages; thread-safe. */
    private static final class Recorder implements Subscriber {
        final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<CloseReason> closes = new CopyOnWriteArrayList<>();
        volatile boolean refuse;

        @Override
        public boolean offer(Message message) {
            messages.add(message);
            return true;
        }

        @Override
        public boolean offerReset(Reset reset) {
            return true;
        }

        @Override
        public boolean offerPresence(PresenceEvent event) {
            if (refuse) {
                return false;
            }
            events.add(event);
            return true;
        }

        @Override
        public void close(CloseReason reason) {
            closes.add(reason);
        }

        void await(int count) {
            HeraldNodePresenceTest.await(() -> events.size() >= count);
        }

        /** The member list as this subscriber sees it. */
        List<Member> view() {
            Map<String, Member> members = new LinkedHashMap<>();
            for (PresenceEvent event : events) {
                switch (event.action()) {
                    case SYNC -> {
                        members.clear();
                        event.members().forEach(m -> members.put(m.connectionId(), m));
                    }
                    case JOIN -> members.put(event.member().connectionId(), event.member());
                    case LEAVE -> members.remove(event.member().connectionId());
                }
            }
            return new ArrayList<>(members.values());
        }
    }
}
