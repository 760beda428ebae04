package dev.herald.redis;

import dev.herald.core.ChannelId;
import dev.herald.core.Member;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PresenceLimitException;
import dev.herald.core.PresenceSnapshot;
import dev.herald.core.spi.Presence;
import dev.herald.core.spi.PresenceListener;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide {@link Presence} on Redis, sharing a {@link RedisBroker}'s connections: every node sees who is in a
 * channel on every node, and the members of a node that dies leave by themselves.
 *
 * <p>Storage: per channel a hash of members and a sorted set of when each expires ({@link RedisKeys#presence},
 * {@link RedisKeys#presenceExpiry}); one counter gives every change of every channel its revision, so a channel's
 * revisions only grow, even across the channel emptying. Join, leave and snapshot are Lua scripts, atomic per
 * channel, and each change is published on the channel's pub/sub channel — the one the broker already subscribes to
 * for this node's subscribers — in revision order, as a frame {@code !<revision> <j|l> <connection> <client>}.
 *
 * <p>Liveness: a member expires {@code memberTtl} after its node last refreshed it. Every node refreshes its own
 * members every {@code memberTtl / 3} (adding back any that Redis lost, announced as joins), and sweeps the channels
 * whose members are due, announcing expired members as leaves. A node killed without leaving therefore loses its
 * members within {@code memberTtl} plus one sweep interval, wherever they were watched from.
 *
 * <p>Interruptions: changes published while this node's pub/sub connection was down are lost; when the broker
 * restores a channel's subscription, this presence reads the channel's members on the pub/sub connection itself, so
 * the answer is ordered with the changes around it, and hands the listener a {@link PresenceEvent.Action#SYNC} with
 * the whole list, which replaces what subscribers held. While Redis is down, join, leave and snapshot fail with
 * {@link dev.herald.core.HeraldUnavailableException}; members that could not leave expire.
 *
 * <p>Threading: changes reach the listener on the broker's pub/sub I/O thread, one at a time, in revision order
 * per channel, and never inside a call to {@link #join} or {@link #leave}. Redis Cluster is not supported: the sweep
 * reaches channel keys it finds in a shared index.
 */
public final class RedisPresence implements Presence {

    /** Members one channel may hold; see {@link dev.herald.core.memory.InMemoryPresence#DEFAULT_MAX_MEMBERS}. */
    public static final int DEFAULT_MAX_MEMBERS = dev.herald.core.memory.InMemoryPresence.DEFAULT_MAX_MEMBERS;

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);
    private static final int SWEEP_BATCH = 100;

    private final RedisBroker broker;
    private final RedisKeys keys;
    private final int maxMembers;
    private final Duration memberTtl;
    private final byte[] ttlArg;
    private final byte[] maxArg;
    /** This node's members, per channel: what the heartbeat refreshes. */
    private final ConcurrentHashMap<ChannelId, Map<String, Member>> local = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeat;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable PresenceListener listener;

    private RedisPresence(RedisBroker broker, int maxMembers, Duration memberTtl) {
        this.broker = broker;
        this.keys = broker.keys();
        this.maxMembers = maxMembers;
        this.memberTtl = memberTtl;
        this.ttlArg = ascii(Long.toString(memberTtl.toMillis()));
        this.maxArg = ascii(Integer.toString(maxMembers));
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "herald-presence-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A presence on {@code broker}'s Redis and connections, at most {@code maxMembers} per channel, members expiring
     * {@code memberTtl} after their node last refreshed them. One per broker.
     */
    public static RedisPresence create(RedisBroker broker, int maxMembers, Duration memberTtl) {
        Objects.requireNonNull(broker, "broker");
        if (maxMembers < 1) {
            throw new IllegalArgumentException("max members must be at least 1: " + maxMembers);
        }
        if (memberTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("member TTL must be at least 1 s: " + memberTtl);
        }
        RedisPresence presence = new RedisPresence(broker, maxMembers, memberTtl);
        broker.attach(presence);
        return presence;
    }

    /** With the broker's {@link RedisBrokerConfig#presenceTtl()}. */
    public static RedisPresence create(RedisBroker broker, int maxMembers) {
        return create(broker, maxMembers, broker.config().presenceTtl());
    }

    @Override
    public void start(PresenceListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (this.listener != null) {
                throw new IllegalStateException("already started");
            }
            this.listener = listener;
        }
        long period = Math.max(100, memberTtl.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Void> join(ChannelId channel, Member member) {
        if (closed.get() || broker.isClosed()) {
            return closedFuture();
        }
        return LuaScripts.PRESENCE_JOIN.run(broker.commands(), channelKeys(channel, true),
                        broker.timeArg(), ttlArg, maxArg, ascii(member.connectionId()), ascii(member.clientId()),
                        RedisKeys.bytes(keys.pubSub(channel)), ascii(channel.value()))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        throw RedisBroker.failed("join the presence of " + channel, failure);
                    }
                    String answer = text(reply.get(0));
                    switch (answer) {
                        case "ok" -> {
                            local.computeIfAbsent(channel, c -> new ConcurrentHashMap<>())
                                    .put(member.connectionId(), member);
                            return null;
                        }
                        case "exists" -> throw new IllegalStateException("connection " + member.connectionId()
                                + " is already a member of " + channel);
                        case "full" -> throw new PresenceLimitException("channel " + channel + " already has "
                                + maxMembers + " members, the most one channel may have");
                        default -> throw new IllegalStateException("presence_join.lua answered " + answer);
                    }
                });
    }

    @Override
    public CompletableFuture<Void> leave(ChannelId channel, Member member) {
        local.computeIfPresent(channel, (c, members) -> {
            members.remove(member.connectionId(), member);
            return members.isEmpty() ? null : members;
        });
        if (closed.get() || broker.isClosed()) {
            return closedFuture();
        }
        return LuaScripts.PRESENCE_LEAVE.run(broker.commands(), channelKeys(channel, true),
                        ascii(member.connectionId()), RedisKeys.bytes(keys.pubSub(channel)), ascii(channel.value()))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        // Not fatal: a member that could not leave expires with its TTL.
                        throw RedisBroker.failed("leave the presence of " + channel, failure);
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<PresenceSnapshot> members(ChannelId channel) {
        if (closed.get() || broker.isClosed()) {
            return closedFuture();
        }
        return snapshot(channel, broker.commands());
    }

    private CompletableFuture<PresenceSnapshot> snapshot(ChannelId channel, RedisAsyncCommands<byte[], byte[]> redis) {
        return LuaScripts.PRESENCE_MEMBERS.run(redis, channelKeys(channel, false),
                        broker.timeArg(), RedisKeys.bytes(keys.pubSub(channel)))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        throw RedisBroker.failed("read the presence of " + channel, failure);
                    }
                    long revision = (Long) reply.get(0);
                    List<long[]> order = new ArrayList<>();
                    List<Member> members = new ArrayList<>();
                    for (int i = 1; i + 1 < reply.size(); i += 2) {
                        String value = text(reply.get(i + 1));
                        int space = value.indexOf(' ');
                        members.add(new Member(text(reply.get(i)), value.substring(space + 1)));
                        order.add(new long[] {Long.parseLong(value.substring(0, space)), members.size() - 1});
                    }
                    order.sort(Comparator.comparingLong(o -> o[0]));   // the order they joined
                    List<Member> sorted = new ArrayList<>(members.size());
                    for (long[] o : order) {
                        sorted.add(members.get((int) o[1]));
                    }
                    return new PresenceSnapshot(channel, sorted, revision);
                });
    }

    /** A change published by any node, on the broker's pub/sub thread. */
    void onChange(ChannelId channel, byte[] frame) {
        PresenceListener target = listener;
        if (target == null || closed.get()) {
            return;
        }
        PresenceEvent event;
        try {
            String[] parts = new String(frame, 1, frame.length - 1, StandardCharsets.US_ASCII).split(" ", 4);
            PresenceEvent.Action action = switch (parts[1]) {
                case "j" -> PresenceEvent.Action.JOIN;
                case "l" -> PresenceEvent.Action.LEAVE;
                default -> throw new IllegalArgumentException("unknown presence action " + parts[1]);
            };
            event = PresenceEvent.change(channel, action, new Member(parts[2], parts[3]), Long.parseLong(parts[0]));
        } catch (RuntimeException e) {
            log.error("dropping an undecodable presence change of {}", channel, e);
            return;
        }
        target.onPresence(event);
    }

    /**
     * The broker restored its subscription to {@code channel}: changes may have been missed. Reads the members on the
     * pub/sub connection (ordered with the changes pushed to it) and hands over the whole list; then refreshes this
     * node's own members, which Redis may have lost.
     */
    void restored(ChannelId channel) {
        PresenceListener target = listener;
        if (target == null || closed.get()) {
            return;
        }
        snapshot(channel, broker.pubSubCommands()).whenComplete((snapshot, failure) -> {
            if (failure != null) {
                log.warn("could not re-read the presence of {} after a Redis reconnect: {}", channel,
                        failure.getMessage());
                return;
            }
            if (!closed.get()) {
                target.onPresence(new PresenceEvent(channel, PresenceEvent.Action.SYNC, snapshot.members(),
                        snapshot.revision()));
            }
            refresh(channel);
        });
    }

    /** The heartbeat: refresh this node's members everywhere, then sweep what is due cluster-wide. */
    private void beat() {
        if (closed.get() || broker.isClosed()) {
            return;
        }
        for (ChannelId channel : local.keySet()) {
            refresh(channel);
        }
        LuaScripts.PRESENCE_SWEEP.run(broker.commands(),
                        new byte[][] {RedisKeys.bytes(keys.presenceRevision()), RedisKeys.bytes(keys.presenceDue())},
                        broker.timeArg(), RedisKeys.bytes(keys.prefix()), ascii(Integer.toString(SWEEP_BATCH)))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        log.debug("presence sweep failed: {}", failure.getMessage());
                    }
                });
    }

    private void refresh(ChannelId channel) {
        Map<String, Member> members = local.get(channel);
        if (members == null || members.isEmpty() || closed.get()) {
            return;
        }
        List<byte[]> args = new ArrayList<>();
        args.add(broker.timeArg());
        args.add(ttlArg);
        args.add(RedisKeys.bytes(keys.pubSub(channel)));
        args.add(ascii(channel.value()));
        for (Member member : members.values()) {
            args.add(ascii(member.connectionId()));
            args.add(ascii(member.clientId()));
        }
        LuaScripts.PRESENCE_REFRESH.run(broker.commands(), channelKeys(channel, true), args.toArray(byte[][]::new))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        log.debug("presence refresh of {} failed: {}", channel, failure.getMessage());
                    }
                });
    }

    private byte[][] channelKeys(ChannelId channel, boolean withDue) {
        byte[] members = RedisKeys.bytes(keys.presence(channel));
        byte[] expiry = RedisKeys.bytes(keys.presenceExpiry(channel));
        byte[] revision = RedisKeys.bytes(keys.presenceRevision());
        return withDue ? new byte[][] {members, expiry, revision, RedisKeys.bytes(keys.presenceDue())}
                : new byte[][] {members, expiry, revision};
    }

    /** Members this node holds (joined through it and not yet left). */
    public int localMemberCount() {
        return local.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Stops the heartbeat. This node's members are not removed here (the broker may already be closed): on a
     * graceful stop they left when their connections closed, and otherwise they expire.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            heartbeat.shutdownNow();
            local.clear();
        }
    }

    private static <T> CompletableFuture<T> closedFuture() {
        return CompletableFuture.failedFuture(new IllegalStateException("presence is closed"));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }
}
