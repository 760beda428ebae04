package dev.herald.redis;

import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.HistoryPage;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import dev.herald.core.spi.Broker;
import dev.herald.core.spi.BrokerListener;
import dev.herald.core.spi.History;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Broker} and {@link History} on Redis, so that many Herald nodes act as one: ids come from Redis and are
 * the same on every node, history is shared, and a client resumes on any node from its cursor.
 *
 * <p>Publish runs {@code publish.lua}: read (or create) the channel's epoch, increment its offset counter, append to
 * its stream trimmed by count ({@code MAXLEN}) and age ({@code MINID}), and {@code PUBLISH} the encoded message, all
 * in one atomic script, so offsets are assigned and delivered in one order and nothing is ever half-written. An
 * ephemeral message is only published. Reads run {@code read.lua}, which decides gaps exactly as the in-memory
 * history does. Both go over one multiplexed command connection with a short timeout: while Redis is unreachable
 * they fail fast with {@link HeraldUnavailableException} (HTTP 503).
 *
 * <p>Fan-in: one pub/sub connection, subscribed to a channel's pub/sub channel only while this node has interest in
 * it (a count per channel, kept under {@code interestLock}). Each message crosses the network once per interested
 * node, is decoded once, and is handed to the listener on the connection's I/O thread, in publish order.
 *
 * <p>Interruptions: Lettuce reconnects by itself (50 ms, doubling, at most {@code reconnectDelayMax}) and
 * re-subscribes every channel it had. Messages published while the pub/sub connection was down are not redelivered
 * by Redis, so when Redis confirms a channel's subscription a second time (that is, after a reconnect), the broker
 * calls {@link BrokerListener#onDeliveryInterrupted(ChannelId)}: the hub then catches up from history, which the
 * outage did not touch, or signals a reset when Redis lost it. A channel whose interest ended while Redis was away
 * is unsubscribed when its stale re-subscription is confirmed.
 *
 * <p>Thread-safety: every method may be called from any thread. Lifecycle: {@link #create} connects (and fails when
 * Redis cannot be reached), {@link #start} once, then use, then {@link #close()}; after close every method returns
 * a failed future (unsubscribe a completed one).
 */
public final class RedisBroker implements Broker, History {

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};
    private static final byte[] EMPTY = {};
    private static final byte[] REDIS_TIME = {'-', '1'};
    /** How often a restored subscription's report re-checks whether the command connection is back. */
    private static final Duration COMMANDS_BACK_CHECK = Duration.ofMillis(20);

    private final RedisBrokerConfig config;
    private final RedisKeys keys;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private final byte[] historySizeArg;
    private final byte[] historyAgeArg;
    private final byte[] metaTtlArg;
    private final long metaTtlMillis;
    /** Guards every change to {@link #interest} and orders the SUBSCRIBE/UNSUBSCRIBE commands it issues. */
    private final Object interestLock = new Object();
    /** Channels this node has interest in; read without the lock by the fan-in path. */
    private final ConcurrentHashMap<ChannelId, Interest> interest = new ConcurrentHashMap<>();
    /**
     * Channels whose subscription came back before the command connection did, so their catch-up could not read
     * history yet; reported once it can. A subset of {@link #interest}'s keys; guarded by {@code interestLock}.
     */
    private final Set<ChannelId> restoredBeforeCommands = new HashSet<>();
    private final AtomicBoolean closed;
    private volatile @Nullable BrokerListener listener;
    private volatile @Nullable RedisPresence presence;

    private RedisBroker(RedisBrokerConfig config, ClientResources resources, RedisClient client,
                        StatefulRedisConnection<byte[], byte[]> commands,
                        StatefulRedisPubSubConnection<byte[], byte[]> pubSub, AtomicBoolean closed) {
        this.config = config;
        this.closed = closed;
        this.keys = RedisKeys.of(config.keyPrefix());
        this.resources = resources;
        this.client = client;
        this.commands = commands;
        this.pubSub = pubSub;
        this.historySizeArg = ascii(Integer.toString(config.historySize()));
        this.historyAgeArg = ascii(Long.toString(config.historyAge().toMillis()));
        this.metaTtlMillis = config.effectiveMetaTtl().toMillis();
        this.metaTtlArg = ascii(Long.toString(metaTtlMillis));
        pubSub.addListener(new FanIn());
    }

    /**
     * Connects to Redis (a command connection and a pub/sub connection). Throws {@link HeraldUnavailableException}
     * when Redis cannot be reached within the connect timeout: a node does not start without its broker. Once
     * connected, the broker survives Redis going away and coming back.
     */
    public static RedisBroker create(RedisBrokerConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.tlsCaCert() != null && !Files.isReadable(config.tlsCaCert())) {
            throw new IllegalArgumentException("cannot read the TLS CA certificate file " + config.tlsCaCert());
        }
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), config.reconnectDelayMax(), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = RedisURI.create(config.uri());
        uri.setTimeout(config.commandTimeout());
        RedisClient client = RedisClient.create(resources, uri);
        ClientOptions.Builder options = ClientOptions.builder();
        if (config.tlsCaCert() != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(config.tlsCaCert().toFile()).build());
        }
        client.setOptions(options
                .autoReconnect(true)
                // Fail fast while disconnected instead of queueing: a publish either reaches Redis now or is a 503.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(config.connectTimeout())
                        // Finds a Redis that vanished without closing the connection (host down, partition)
                        // in about idle + count × interval, instead of the kernel's two hours.
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                                .idle(Duration.ofSeconds(5)).interval(Duration.ofSeconds(2)).count(3).build())
                        .build())
                .build());
        AtomicBoolean closed = new AtomicBoolean();
        client.addListener(new ConnectionLog(config.redactedUri(), closed));
        StatefulRedisConnection<byte[], byte[]> commands = null;
        try {
            commands = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisPubSubConnection<byte[], byte[]> pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            log.info("Redis broker connected to {} (key prefix '{}', history {} messages / {})",
                    config.redactedUri(), config.keyPrefix(), config.historySize(), config.historyAge());
            return new RedisBroker(config, resources, client, commands, pubSub, closed);
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new HeraldUnavailableException("cannot connect to Redis at " + config.redactedUri() + ": "
                    + describe(e));
        }
    }

    public RedisBrokerConfig config() {
        return config;
    }

    /** Where this broker keeps each channel in Redis. */
    public RedisKeys keys() {
        return keys;
    }

    @Override
    public void start(BrokerListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (interestLock) {
            if (this.listener != null) {
                throw new IllegalStateException("already started");
            }
            this.listener = listener;
        }
        long period = Math.max(100, metaTtlMillis / 4);
        resources.eventExecutorGroup().scheduleWithFixedDelay(this::keepMetaOfInterest, period, period,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Renews the expiry of the meta hash of every channel this node has interest in. Reads and publishes renew it
     * too, but a subscription that stays live reads nothing, nor does a returning long poll at the newest position
     * (the hub's "Resuming at the newest"): without this, a channel watched for longer than the meta TTL with no
     * publish would start a new epoch at its next publish, and every watcher would get {@code stream_restarted}.
     * {@code PEXPIRE} never creates a key, so a channel whose meta is gone stays gone. Runs every quarter TTL.
     */
    private void keepMetaOfInterest() {
        if (closed.get() || !commands.isOpen()) {
            return;
        }
        RedisAsyncCommands<byte[], byte[]> async = commands.async();
        for (ChannelId channel : interest.keySet()) {
            async.pexpire(RedisKeys.bytes(keys.meta(channel)), metaTtlMillis);
        }
    }

    // ---- publish and history ----

    @Override
    public CompletableFuture<StreamPosition> publish(ChannelId channel, Payload payload, PublishOptions options) {
        if (closed.get()) {
            return closedFuture();
        }
        if (listener == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker not started"));
        }
        String event = options.event();
        return LuaScripts.PUBLISH.run(commands.async(), channelKeys(channel),
                        now(),
                        ascii(newEpoch()),
                        ascii(RedisFrame.kind(payload)),
                        options.ephemeral() ? ONE : ZERO,
                        event == null ? EMPTY : ascii(event),
                        historySizeArg,
                        historyAgeArg,
                        metaTtlArg,
                        RedisKeys.bytes(keys.pubSub(channel)),
                        payload.bytes())
                .handle((reply, failure) -> {
                    if (failure != null) {
                        throw failure("publish to " + channel, failure);
                    }
                    return new StreamPosition(text(reply.get(0)), (Long) reply.get(1));
                });
    }

    @Override
    public CompletableFuture<HistoryPage> read(ChannelId channel, @Nullable StreamPosition since, int limit) {
        if (limit < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("limit must not be negative: " + limit));
        }
        if (closed.get()) {
            return closedFuture();
        }
        return LuaScripts.READ.run(commands.async(), channelKeys(channel),
                        now(),
                        ascii(newEpoch()),
                        historyAgeArg,
                        metaTtlArg,
                        since == null ? EMPTY : ascii(since.epoch()),
                        ascii(since == null ? "0" : Long.toString(since.offset())),
                        ascii(Integer.toString(limit)))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        throw failure("read history of " + channel, failure);
                    }
                    return page(channel, reply);
                });
    }

    private static HistoryPage page(ChannelId channel, List<Object> reply) {
        StreamPosition top = new StreamPosition(text(reply.get(0)), (Long) reply.get(1));
        String gapName = text(reply.get(2));
        GapReason gap = null;
        for (GapReason reason : GapReason.values()) {
            if (reason.wireName().equals(gapName)) {
                gap = reason;
            }
        }
        if (gap == null && !gapName.isEmpty()) {
            throw new IllegalStateException("read.lua answered an unknown gap reason: " + gapName);
        }
        List<Message> messages = new ArrayList<>(reply.size() - 4);
        for (int i = 4; i < reply.size(); i++) {
            messages.add(RedisFrame.decode(channel, (byte[]) reply.get(i)));
        }
        return new HistoryPage(messages, top, gap, (Long) reply.get(3) == 1L);
    }

    private byte[][] channelKeys(ChannelId channel) {
        return new byte[][] {RedisKeys.bytes(keys.meta(channel)), RedisKeys.bytes(keys.stream(channel))};
    }

    private byte[] now() {
        return config.clock() == null ? REDIS_TIME : ascii(Long.toString(config.clock().millis()));
    }

    // ---- interest ----

    @Override
    public CompletableFuture<Void> subscribe(ChannelId channel) {
        synchronized (interestLock) {
            if (closed.get()) {
                return closedFuture();
            }
            Interest entry = interest.computeIfAbsent(channel, c -> new Interest());
            entry.count++;
            if (entry.subscribed == null || entry.subscribed.isCompletedExceptionally()) {
                // First interest, or the last SUBSCRIBE failed (Redis was away): (re)subscribe. Issued under the
                // lock, so SUBSCRIBE and UNSUBSCRIBE reach Redis in the order the count changed.
                entry.confirmed = false;
                entry.subscribed = pubSub.async().subscribe(RedisKeys.bytes(keys.pubSub(channel)))
                        .toCompletableFuture()
                        .handle((ok, failure) -> {
                            if (failure != null) {
                                throw failure("subscribe to " + channel, failure);
                            }
                            return null;
                        });
            }
            return entry.subscribed.copy();
        }
    }

    @Override
    public CompletableFuture<Void> unsubscribe(ChannelId channel) {
        synchronized (interestLock) {
            Interest entry = interest.get(channel);
            if (entry == null || closed.get()) {
                return CompletableFuture.completedFuture(null);
            }
            if (--entry.count == 0) {
                interest.remove(channel);
                // Failure is harmless: if Redis is away, the stale subscription is dropped when Lettuce restores it.
                pubSub.async().unsubscribe(RedisKeys.bytes(keys.pubSub(channel)));
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Channels this node is subscribed to (has interest in) right now. */
    public int subscribedChannelCount() {
        return interest.size();
    }

    /** One channel's interest; fields guarded by {@code interestLock}. */
    private static final class Interest {
        int count;
        @Nullable CompletableFuture<Void> subscribed;
        /** Redis confirmed the subscription at least once; a further confirmation means it was restored. */
        boolean confirmed;
    }

    /** Messages and subscription confirmations from the pub/sub connection, on its I/O thread, in order. */
    private final class FanIn extends RedisPubSubAdapter<byte[], byte[]> {

        @Override
        public void message(byte[] name, byte[] frame) {
            ChannelId channel = keys.channelOfPubSub(new String(name, StandardCharsets.UTF_8));
            BrokerListener target = listener;
            if (channel == null || target == null || !interest.containsKey(channel)) {
                return;   // an UNSUBSCRIBE in flight, or a foreign channel under our prefix
            }
            if (frame.length > 0 && frame[0] == '!') {
                RedisPresence members = presence;
                if (members != null) {
                    members.onChange(channel, frame);
                }
                return;
            }
            Message message;
            try {
                message = RedisFrame.decode(channel, frame);
            } catch (RuntimeException e) {
                // The hub notices the missing offset at the next message and catches up from history.
                log.error("dropping an undecodable message of {}", channel, e);
                return;
            }
            target.onMessage(message);
        }

        @Override
        public void subscribed(byte[] name, long count) {
            ChannelId channel = keys.channelOfPubSub(new String(name, StandardCharsets.UTF_8));
            BrokerListener target = listener;
            if (channel == null || target == null) {
                return;
            }
            boolean restored;
            synchronized (interestLock) {
                Interest entry = interest.get(channel);
                if (entry == null) {
                    // Interest ended while the confirmation was on its way, or while Redis was away (Lettuce
                    // re-subscribes what it had): drop the subscription. If an UNSUBSCRIBE is already queued, this
                    // one is a no-op; a later SUBSCRIBE is issued under the lock, so after it.
                    if (!closed.get()) {
                        pubSub.async().unsubscribe(name);
                    }
                    return;
                }
                restored = entry.confirmed;
                entry.confirmed = true;
            }
            if (restored) {
                // A second confirmation: the subscription was restored after a reconnect, and whatever was published
                // in between never reached this node. (A spurious call only costs the hub one history read.)
                reportInterrupted(channel, target);
                RedisPresence members = presence;
                if (members != null) {
                    members.restored(channel);
                }
            }
        }
    }

    /**
     * Tells the listener that {@code channel}'s delivery was interrupted, once history can be read. The two
     * connections reconnect independently: when Redis comes back, the pub/sub one may restore its subscriptions
     * while the command connection is still waiting for its next attempt and rejects commands. A catch-up started
     * then would fail, and the hub would close every open subscription of the channel as {@code broker_unavailable}
     * although Redis is back, so the report waits (re-checked every {@link #COMMANDS_BACK_CHECK}) until the command
     * connection is up.
     */
    private void reportInterrupted(ChannelId channel, BrokerListener target) {
        if (commands.isOpen()) {
            target.onDeliveryInterrupted(channel);
            return;
        }
        boolean first;
        synchronized (interestLock) {
            first = restoredBeforeCommands.isEmpty();
            restoredBeforeCommands.add(channel);
        }
        if (first) {
            checkCommandsBackLater();
        }
    }

    private void checkCommandsBackLater() {
        try {
            resources.eventExecutorGroup().schedule(this::reportInterruptedOnceCommandsAreBack,
                    COMMANDS_BACK_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is left to report to.
        }
    }

    private void reportInterruptedOnceCommandsAreBack() {
        BrokerListener target = listener;
        if (closed.get() || target == null) {
            return;
        }
        if (!commands.isOpen()) {
            checkCommandsBackLater();
            return;
        }
        List<ChannelId> channels;
        synchronized (interestLock) {
            channels = new ArrayList<>(restoredBeforeCommands.size());
            for (ChannelId channel : restoredBeforeCommands) {
                if (interest.containsKey(channel)) {
                    channels.add(channel);
                }
            }
            restoredBeforeCommands.clear();
        }
        for (ChannelId channel : channels) {
            target.onDeliveryInterrupted(channel);
        }
    }

    // ---- for RedisPresence, which shares this broker's connections ----

    /** Routes presence changes arriving on the channels' pub/sub channels to {@code members}. */
    void attach(RedisPresence members) {
        synchronized (interestLock) {
            if (presence != null) {
                throw new IllegalStateException("a presence is already attached to " + this);
            }
            presence = members;
        }
    }

    RedisAsyncCommands<byte[], byte[]> commands() {
        return commands.async();
    }

    /**
     * The pub/sub connection's commands: a script run here answers in order with the messages pushed to this
     * connection (RESP3), so its reply splits them into those before and those after it.
     */
    RedisAsyncCommands<byte[], byte[]> pubSubCommands() {
        return pubSub.async();
    }

    /** The time argument of a script: the configured clock's millis, or {@code -1} for Redis's own clock. */
    byte[] timeArg() {
        return now();
    }

    boolean isClosed() {
        return closed.get();
    }

    /** See {@link #failure(String, Throwable)}. */
    static RuntimeException failed(String what, Throwable failure) {
        return failure(what, failure);
    }

    // ---- lifecycle ----

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (interestLock) {
            interest.clear();
        }
        pubSub.close();
        commands.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "RedisBroker[" + config.redactedUri() + ", prefix " + config.keyPrefix() + "]";
    }

    // ---- helpers ----

    /**
     * What a failed Redis command means to the caller: Redis unreachable, timed out, loading, out of memory, read-only
     * or busy is {@link HeraldUnavailableException} (503, retry later); any other error Redis answered is a bug
     * (500).
     */
    private static RuntimeException failure(String what, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof HeraldUnavailableException || cause instanceof IllegalStateException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof RedisCommandExecutionException && !transientError(cause.getMessage())) {
            return new IllegalStateException("Redis refused to " + what + ": " + cause.getMessage(), cause);
        }
        return new HeraldUnavailableException("Redis is unavailable (" + describe(cause) + ")", cause);
    }

    private static boolean transientError(@Nullable String message) {
        if (message == null) {
            return false;
        }
        for (String code : new String[] {"OOM", "LOADING", "BUSY", "READONLY", "MASTERDOWN", "NOREPLICAS",
                "TRYAGAIN", "CLUSTERDOWN", "MISCONF"}) {
            if (message.startsWith(code)) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause's message: what went wrong, never a URI (Lettuce names addresses, not credentials). */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root != failure && failure instanceof RedisException && failure.getMessage() != null
                && failure.getMessage().startsWith("Command timed out")) {
            message = failure.getMessage();
        }
        return message == null ? root.getClass().getSimpleName() : message;
    }

    private static <T> CompletableFuture<T> closedFuture() {
        return CompletableFuture.failedFuture(new IllegalStateException("broker is closed"));
    }

    /**
     * A fresh epoch candidate: 50 random bits in base 36, as the in-memory broker draws them. The script uses it only
     * when the channel has no epoch in Redis (new, expired or lost), so a channel that comes back never reuses
     * offsets under an epoch a client may still hold.
     */
    private static String newEpoch() {
        long bits = ThreadLocalRandom.current().nextLong() & ((1L << 50) - 1);
        return Long.toString(bits | (1L << 50), 36);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }

    /** Logs connection loss and recovery once per connection, with the URI redacted. */
    private static final class ConnectionLog implements RedisConnectionStateListener {
        private final String uri;
        private final AtomicBoolean closed;
        private final AtomicBoolean lost = new AtomicBoolean();

        ConnectionLog(String uri, AtomicBoolean closed) {
            this.uri = uri;
            this.closed = closed;
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (closed.get()) {
                return;   // our own close
            }
            lost.set(true);
            log.warn("lost a connection to Redis at {}; reconnecting", uri);
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
            if (lost.get()) {
                log.info("reconnected to Redis at {}", uri);
            }
        }
    }
}
