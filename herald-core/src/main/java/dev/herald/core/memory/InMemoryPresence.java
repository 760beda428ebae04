package dev.herald.core.memory;

import dev.herald.core.ChannelId;
import dev.herald.core.Member;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PresenceLimitException;
import dev.herald.core.PresenceSnapshot;
import dev.herald.core.spi.Presence;
import dev.herald.core.spi.PresenceListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link Presence}: every channel's members in this process's memory.
 *
 * <p>Concurrency: channels live in a {@link ConcurrentHashMap}; each channel's members are guarded by the room's
 * own monitor, held across the change, the revision it gets and its hand-off to the outbox, so a channel's changes
 * enter the outbox in revision order. Revisions come from one node-wide counter, so they also order a channel's
 * changes across a room being forgotten and created again. The outbox is drained by one task at a time on the
 * executor (a serial executor), never on the caller's thread: callers may hold locks of their own — the hub
 * leaves a channel while it holds a subscription's monitor — and the listener takes those locks.
 *
 * <p>Memory: at most {@code maxMembers} members per channel. A room exists only while it has members; the one a
 * snapshot of an empty channel creates is dropped again at once.
 */
public final class InMemoryPresence implements Presence {

    /**
     * Members one channel may hold. Every join and leave is an event for every presence subscriber of the channel,
     * so n members cost n² deliveries while they arrive; the bound keeps one busy room from flooding the node.
     */
    public static final int DEFAULT_MAX_MEMBERS = 1000;

    private final ConcurrentHashMap<ChannelId, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicLong revisions = new AtomicLong();
    private final Queue<PresenceEvent> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final int maxMembers;
    private final Executor executor;
    private volatile @Nullable PresenceListener listener;
    private volatile boolean closed;

    private InMemoryPresence(Builder builder) {
        this.maxMembers = builder.maxMembers;
        this.executor = builder.executor;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static InMemoryPresence create() {
        return builder().build();
    }

    @Override
    public void start(PresenceListener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletableFuture<Void> join(ChannelId channel, Member member) {
        while (!closed) {
            Room room = rooms.computeIfAbsent(channel, c -> new Room());
            synchronized (room) {
                if (room.retired) {
                    continue;
                }
                if (room.members.containsKey(member.connectionId())) {
                    return CompletableFuture.failedFuture(new IllegalStateException("connection "
                            + member.connectionId() + " is already a member of " + channel));
                }
                if (room.members.size() >= maxMembers) {
                    return CompletableFuture.failedFuture(new PresenceLimitException("channel " + channel
                            + " already has " + maxMembers + " members, the most one channel may have"));
                }
                room.members.put(member.connectionId(), member);
                announce(PresenceEvent.change(channel, PresenceEvent.Action.JOIN, member,
                        revisions.incrementAndGet()));
                return CompletableFuture.completedFuture(null);
            }
        }
        return closedFuture();
    }

    @Override
    public CompletableFuture<Void> leave(ChannelId channel, Member member) {
        Room room = rooms.get(channel);
        if (room != null) {
            synchronized (room) {
                if (!room.retired && room.members.remove(member.connectionId(), member)) {
                    announce(PresenceEvent.change(channel, PresenceEvent.Action.LEAVE, member,
                            revisions.incrementAndGet()));
                    retireIfEmpty(channel, room);
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<PresenceSnapshot> members(ChannelId channel) {
        while (!closed) {
            // Read under the room's monitor, in a room that is current: every change of this channel with a
            // revision up to the one read here is reflected, every later one is not (see the class comment).
            Room room = rooms.computeIfAbsent(channel, c -> new Room());
            synchronized (room) {
                if (room.retired) {
                    continue;
                }
                PresenceSnapshot snapshot = new PresenceSnapshot(channel, List.copyOf(room.members.values()),
                        revisions.get());
                retireIfEmpty(channel, room);
                return CompletableFuture.completedFuture(snapshot);
            }
        }
        return closedFuture();
    }

    /** Channels with at least one member. */
    public int channelCount() {
        return rooms.size();
    }

    @Override
    public void close() {
        closed = true;
        rooms.clear();
        outbox.clear();
    }

    /** Called holding the room's monitor. */
    private void retireIfEmpty(ChannelId channel, Room room) {
        if (room.members.isEmpty()) {
            room.retired = true;
            rooms.remove(channel, room);
        }
    }

    /** Queues a change for the listener; called holding the room's monitor, so a channel's changes queue in order. */
    private void announce(PresenceEvent event) {
        outbox.add(event);
        if (draining.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        PresenceListener target = listener;
        do {
            PresenceEvent event;
            while ((event = outbox.poll()) != null) {
                if (target == null || closed) {
                    continue;
                }
                try {
                    target.onPresence(event);
                } catch (RuntimeException e) {
                    Thread thread = Thread.currentThread();
                    thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
                }
            }
            draining.set(false);
            // An event queued after the last poll but before the flag cleared found the flag set and left it to us.
        } while (!outbox.isEmpty() && draining.compareAndSet(false, true));
    }

    private static <T> CompletableFuture<T> closedFuture() {
        return CompletableFuture.failedFuture(new IllegalStateException("presence is closed"));
    }

    /** One channel's members, by connection id, in join order; guarded by its own monitor. */
    private static final class Room {
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        boolean retired;
    }

    /** Builds an {@link InMemoryPresence}. */
    public static final class Builder {
        private int maxMembers = DEFAULT_MAX_MEMBERS;
        private Executor executor = ForkJoinPool.commonPool();

        private Builder() {
        }

        /** Members one channel may hold, default {@value #DEFAULT_MAX_MEMBERS}. */
        public Builder maxMembers(int maxMembers) {
            if (maxMembers < 1) {
                throw new IllegalArgumentException("max members must be at least 1: " + maxMembers);
            }
            this.maxMembers = maxMembers;
            return this;
        }

        /** Where changes are handed to the listener, one task at a time; default the common pool. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public InMemoryPresence build() {
            return new InMemoryPresence(this);
        }
    }
}
