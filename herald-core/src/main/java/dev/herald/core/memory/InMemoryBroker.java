package dev.herald.core.memory;

import dev.herald.core.ChannelId;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.HistoryPage;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import dev.herald.core.spi.Broker;
import dev.herald.core.spi.BrokerListener;
import dev.herald.core.spi.History;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link Broker} and {@link History}: everything in this process's memory.
 *
 * <p>Concurrency: channels live in a {@link ConcurrentHashMap}; each channel's {@link HistoryBuffer} is guarded by
 * its own monitor, held across offset assignment, append and the listener call, so publishes to one channel are
 * atomic and every listener sees them in offset order, while different channels never contend.
 *
 * <p>Memory: per channel at most {@code historySize} messages, {@code historyBytes} bytes and {@code historyAge} of
 * age; node-wide at most {@code maxChannels} channels and {@code maxTotalBytes} retained bytes. When the node-wide
 * budget is reached, the publishing channel gives up its own oldest messages first, and if that is not enough its
 * new message is delivered live but not retained; readers behind it then see an explicit {@code history_trimmed}
 * gap. Channels with no subscribers and nothing retained are forgotten after {@code historyAge} of inactivity, or at
 * once when the channel limit is reached and room is needed.
 */
public final class InMemoryBroker implements Broker, History {

    public static final int DEFAULT_HISTORY_SIZE = 1000;
    public static final Duration DEFAULT_HISTORY_AGE = Duration.ofHours(1);
    public static final long DEFAULT_HISTORY_BYTES = 4L << 20;
    public static final long DEFAULT_MAX_TOTAL_BYTES = 256L << 20;
    /** Bounds the channel map, which clients grow by naming channels; stops memory exhaustion by random names. */
    public static final int DEFAULT_MAX_CHANNELS = 100_000;

    private final ConcurrentHashMap<ChannelId, HistoryBuffer> channels = new ConcurrentHashMap<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Clock clock;
    private final int historySize;
    private final long historyAgeMillis;
    private final long historyBytes;
    private final long maxTotalBytes;
    private final int maxChannels;
    private volatile @Nullable BrokerListener listener;
    private volatile boolean closed;
    private final AtomicLong lastEmergencySweepMillis = new AtomicLong(Long.MIN_VALUE / 2);

    private InMemoryBroker(Builder builder) {
        this.clock = builder.clock;
        this.historySize = builder.historySize;
        this.historyAgeMillis = builder.historyAge.toMillis();
        this.historyBytes = builder.historyBytes;
        this.maxTotalBytes = builder.maxTotalBytes;
        this.maxChannels = builder.maxChannels;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static InMemoryBroker create() {
        return builder().build();
    }

    @Override
    public void start(BrokerListener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletableFuture<Void> subscribe(ChannelId channel) {
        try {
            return CompletableFuture.completedFuture(locked(channel, buffer -> {
                buffer.addInterest();
                return null;
            }));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> unsubscribe(ChannelId channel) {
        HistoryBuffer buffer = channels.get(channel);
        if (buffer != null) {
            synchronized (buffer) {
                buffer.removeInterest();
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<StreamPosition> publish(ChannelId channel, Payload payload, PublishOptions options) {
        try {
            BrokerListener target = listener;
            if (target == null) {
                throw new IllegalStateException("broker not started");
            }
            return CompletableFuture.completedFuture(locked(channel, buffer -> {
                long now = clock.millis();
                totalBytes.addAndGet(-buffer.trimByAge(now - historyAgeMillis));
                StreamPosition position = options.ephemeral() ? buffer.top() : buffer.nextPosition();
                Message message = Message.create(channel, position, now, options, payload);
                if (!options.ephemeral()) {
                    retain(buffer, message, now);
                }
                if (buffer.hasInterest()) {
                    target.onMessage(message);   // only channels this node subscribed to, as Broker#subscribe says
                }
                return position;
            }));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Appends within the channel's and the node's byte budgets; called holding the buffer's monitor. */
    private void retain(HistoryBuffer buffer, Message message, long now) {
        long size = message.retainedSize();
        long freed = buffer.trimToBytes(Math.max(0, historyBytes - size));
        while (totalBytes.get() - freed + size > maxTotalBytes && buffer.size() > 0) {
            freed += buffer.removeOldest();
        }
        if (size > historyBytes || totalBytes.get() - freed + size > maxTotalBytes) {
            buffer.skip(message, now);
            totalBytes.addAndGet(-freed);
        } else {
            totalBytes.addAndGet(buffer.append(message, now) - freed);
        }
    }

    @Override
    public CompletableFuture<HistoryPage> read(ChannelId channel, @Nullable StreamPosition since, int limit) {
        if (limit < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("limit must not be negative: " + limit));
        }
        try {
            return CompletableFuture.completedFuture(locked(channel, buffer -> {
                long now = clock.millis();
                totalBytes.addAndGet(-buffer.trimByAge(now - historyAgeMillis));
                return buffer.read(since, limit, now);
            }));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Drops aged messages everywhere and forgets idle channels. The server calls this periodically; it is cheap
     * enough to run every few seconds (one pass over the channel map).
     */
    public void sweep() {
        forget(historyAgeMillis);
    }

    /** Drops aged messages and forgets channels idle for {@code idleMillis}; see {@link #sweep()}. */
    private void forget(long idleMillis) {
        long now = clock.millis();
        for (HistoryBuffer buffer : channels.values()) {
            synchronized (buffer) {
                totalBytes.addAndGet(-buffer.trimByAge(now - historyAgeMillis));
                if (buffer.idle(now, idleMillis)) {
                    buffer.retire();
                    channels.remove(buffer.channel(), buffer);
                }
            }
        }
    }

    /** Channels currently held. */
    public int channelCount() {
        return channels.size();
    }

    /** Bytes of history currently retained, node-wide. */
    public long retainedBytes() {
        return totalBytes.get();
    }

    @Override
    public void close() {
        closed = true;
        channels.clear();
        totalBytes.set(0);
    }

    /**
     * Runs {@code action} holding the channel's buffer monitor, creating the buffer if needed. A buffer the sweeper
     * retired between lookup and lock is skipped, so nothing is ever written to a forgotten channel.
     */
    private <T> T locked(ChannelId channel, Function<HistoryBuffer, T> action) {
        while (true) {
            HistoryBuffer buffer = buffer(channel);
            synchronized (buffer) {
                if (!buffer.retired()) {
                    return action.apply(buffer);
                }
            }
        }
    }

    private HistoryBuffer buffer(ChannelId channel) {
        if (closed) {
            throw new IllegalStateException("broker is closed");
        }
        HistoryBuffer buffer = channels.get(channel);
        if (buffer != null) {
            return buffer;
        }
        if (channels.size() >= maxChannels) {
            // Reads create channels too, so a client naming random channels could fill the map with empty ones.
            // Those are safe to forget at once (at worst a later reader of one gets a needless reset), so make
            // room from them, at most once a second, before refusing.
            long now = clock.millis();
            long last = lastEmergencySweepMillis.get();
            if (now - last >= 1000 && lastEmergencySweepMillis.compareAndSet(last, now)) {
                forget(0);
            }
        }
        if (channels.size() >= maxChannels) {
            throw new HeraldUnavailableException("channel limit reached: this node holds at most " + maxChannels
                    + " channels");
        }
        long now = clock.millis();
        return channels.computeIfAbsent(channel, c -> new HistoryBuffer(c, newEpoch(), historySize, now));
    }

    /**
     * A fresh epoch: 50 random bits in base 36. A sweep that forgets a channel and a later publish that recreates it
     * must not reuse offsets under the same epoch, and neither may a restarted process.
     */
    private static String newEpoch() {
        long bits = ThreadLocalRandom.current().nextLong() & ((1L << 50) - 1);
        return Long.toString(bits | (1L << 50), 36);
    }

    /** Builds an {@link InMemoryBroker}; every setting has a {@code DEFAULT_*}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private int historySize = DEFAULT_HISTORY_SIZE;
        private Duration historyAge = DEFAULT_HISTORY_AGE;
        private long historyBytes = DEFAULT_HISTORY_BYTES;
        private long maxTotalBytes = DEFAULT_MAX_TOTAL_BYTES;
        private int maxChannels = DEFAULT_MAX_CHANNELS;

        private Builder() {
        }

        /** Time source for ages and publish timestamps. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Messages kept per channel, default {@value #DEFAULT_HISTORY_SIZE}; 0 keeps none. */
        public Builder historySize(int historySize) {
            if (historySize < 0) {
                throw new IllegalArgumentException("history size must not be negative: " + historySize);
            }
            this.historySize = historySize;
            return this;
        }

        /** How long a message is kept, default one hour. */
        public Builder historyAge(Duration historyAge) {
            if (historyAge.isNegative() || historyAge.isZero()) {
                throw new IllegalArgumentException("history age must be positive: " + historyAge);
            }
            this.historyAge = historyAge;
            return this;
        }

        /** Bytes kept per channel, default 4 MiB. */
        public Builder historyBytes(long historyBytes) {
            if (historyBytes < 0) {
                throw new IllegalArgumentException("history bytes must not be negative: " + historyBytes);
            }
            this.historyBytes = historyBytes;
            return this;
        }

        /** Bytes kept across all channels, default 256 MiB. */
        public Builder maxTotalBytes(long maxTotalBytes) {
            if (maxTotalBytes < 0) {
                throw new IllegalArgumentException("max total bytes must not be negative: " + maxTotalBytes);
            }
            this.maxTotalBytes = maxTotalBytes;
            return this;
        }

        /** Channels held at once, default {@value #DEFAULT_MAX_CHANNELS}. */
        public Builder maxChannels(int maxChannels) {
            if (maxChannels < 1) {
                throw new IllegalArgumentException("max channels must be at least 1: " + maxChannels);
            }
            this.maxChannels = maxChannels;
            return this;
        }

        public InMemoryBroker build() {
            return new InMemoryBroker(this);
        }
    }
}
