package dev.herald.core;

import dev.herald.core.internal.Hub;
import dev.herald.core.memory.InMemoryBroker;
import dev.herald.core.memory.InMemoryPresence;
import dev.herald.core.spi.Broker;
import dev.herald.core.spi.History;
import dev.herald.core.spi.Presence;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One Herald node: publishes through its {@link Broker}, reads its {@link History}, and fans messages out to the
 * {@link Subscriber}s of this process. Transports talk only to this class. Thread-safe.
 *
 * <p>Lifecycle: {@link #builder()}, {@link Builder#build()} (which starts the broker), use from any thread,
 * {@link #close()}. After close, operations return failed futures.
 */
public final class HeraldNode implements AutoCloseable {

    /** History messages read per round trip while a subscription replays. */
    public static final int DEFAULT_REPLAY_PAGE_SIZE = 1000;
    /** Live messages a subscription buffers while it replays; beyond that it is closed as a slow consumer. */
    public static final int DEFAULT_REPLAY_BUFFER_LIMIT = 10_000;

    private final Broker broker;
    private final History history;
    private final Presence presence;
    private final Hub hub;
    private volatile boolean closed;

    private HeraldNode(Builder builder) {
        this.broker = builder.broker;
        this.history = builder.history;
        this.presence = builder.presence != null ? builder.presence : InMemoryPresence.create();
        this.hub = new Hub(broker, history, presence, builder.replayPageSize, builder.replayBufferLimit);
        broker.start(hub);
        presence.start(hub);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Publishes; completes with the message's position (for an ephemeral message, the channel's position). */
    public CompletableFuture<StreamPosition> publish(ChannelId channel, Payload payload, PublishOptions options) {
        if (closed) {
            return closedFuture();
        }
        return broker.publish(channel, payload, options);
    }

    /**
     * Subscribes {@code subscriber} to {@code channel}. With {@code since == null}, delivers messages published
     * from now on. Otherwise replays every retained message after {@code since} and then goes live, with no gap and
     * no duplicate; when {@code since} cannot be served in full, the subscriber first gets a {@link Reset}.
     * Deliveries may begin before the future completes. Fails with {@link HeraldUnavailableException} when the
     * broker cannot serve the channel.
     */
    public CompletableFuture<Subscription> subscribe(ChannelId channel, @Nullable StreamPosition since,
                                                     Subscriber subscriber) {
        if (closed) {
            return closedFuture();
        }
        return hub.subscribe(channel, since, Objects.requireNonNull(subscriber, "subscriber"));
    }

    /**
     * Subscribes like {@link #subscribe(ChannelId, StreamPosition, Subscriber)}, and also joins the channel's
     * presence as {@code member}: the subscriber first gets the member list (a {@link PresenceEvent.Action#SYNC}
     * that includes {@code member}), then every join and leave, through {@link Subscriber#offerPresence}. Closing
     * the subscription leaves. Fails with {@link PresenceLimitException} when the channel is full; the
     * subscription is then not made.
     */
    public CompletableFuture<Subscription> subscribe(ChannelId channel, @Nullable StreamPosition since,
                                                     Subscriber subscriber, Member member) {
        if (closed) {
            return closedFuture();
        }
        return hub.subscribe(channel, since, Objects.requireNonNull(subscriber, "subscriber"),
                Objects.requireNonNull(member, "member"));
    }

    /** Who is in {@code channel} now, as its presence says (members that joined through a subscription). */
    public CompletableFuture<PresenceSnapshot> presence(ChannelId channel) {
        if (closed) {
            return closedFuture();
        }
        return presence.members(channel);
    }

    /** Reads history; see {@link History#read}. */
    public CompletableFuture<HistoryPage> history(ChannelId channel, @Nullable StreamPosition since, int limit) {
        if (closed) {
            return closedFuture();
        }
        return history.read(channel, since, limit);
    }

    /** Subscriptions currently open on this node. */
    public int subscriptionCount() {
        return hub.subscriptionCount();
    }

    /**
     * Lets a channel that lost its last subscription go once it has stayed empty since the previous call. Until
     * then it keeps its broker interest for the next subscription, such as a long poll polling again. Call this
     * about once a second, as the server does; without it, at most 10,000 empty channels keep their interest.
     */
    public void sweep() {
        hub.sweep();
    }

    /** The broker this node publishes through. */
    public Broker broker() {
        return broker;
    }

    @Override
    public void close() {
        closed = true;
        broker.close();
        presence.close();
    }

    private static <T> CompletableFuture<T> closedFuture() {
        return CompletableFuture.failedFuture(new IllegalStateException("node is closed"));
    }

    /** Builds a {@link HeraldNode}. Defaults to a fresh {@link InMemoryBroker}. */
    public static final class Builder {
        private @Nullable Broker broker;
        private @Nullable History history;
        private @Nullable Presence presence;
        private int replayPageSize = DEFAULT_REPLAY_PAGE_SIZE;
        private int replayBufferLimit = DEFAULT_REPLAY_BUFFER_LIMIT;

        private Builder() {
        }

        /** The backend, which both carries messages and keeps their history. */
        public <B extends Broker & History> Builder broker(B broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            this.history = broker;
            return this;
        }

        /** Who is in each channel; default a fresh {@link InMemoryPresence}. The node starts and closes it. */
        public Builder presence(Presence presence) {
            this.presence = Objects.requireNonNull(presence, "presence");
            return this;
        }

        public Builder replayPageSize(int replayPageSize) {
            if (replayPageSize < 1) {
                throw new IllegalArgumentException("replay page size must be at least 1: " + replayPageSize);
            }
            this.replayPageSize = replayPageSize;
            return this;
        }

        public Builder replayBufferLimit(int replayBufferLimit) {
            if (replayBufferLimit < 1) {
                throw new IllegalArgumentException("replay buffer limit must be at least 1: " + replayBufferLimit);
            }
            this.replayBufferLimit = replayBufferLimit;
            return this;
        }

        /** Builds the node and starts its broker. */
        public HeraldNode build() {
            if (broker == null) {
                broker(InMemoryBroker.create());
            }
            return new HeraldNode(this);
        }
    }
}
