package dev.herald.core;

import dev.herald.core.memory.InMemoryBroker;
import dev.herald.core.spi.Broker;
import dev.herald.core.spi.BrokerListener;
import dev.herald.core.spi.History;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A broker for hub tests that puts the test in charge of timing: it delegates to an {@link InMemoryBroker} but can
 * hold history reads until the test releases them (a slow replay, as against a distant Redis) and can lose
 * deliveries to the listener (a message missed while a Redis connection reconnected) and then report the
 * interruption, as a broker does when it has restored its connection. It also counts each channel's
 * {@link #subscribe} and {@link #unsubscribe} calls, the interest the hub holds.
 *
 * <p>Thread-safe. Held reads complete on the thread that calls {@link #releaseReads()}, so what the hub does on
 * completion happens there, under the test's control.
 */
public final class ControlledBroker implements Broker, History {

    private record HeldRead(ChannelId channel, @Nullable StreamPosition since, int limit,
                            CompletableFuture<HistoryPage> result) {
    }

    private final InMemoryBroker delegate;
    private final List<HeldRead> held = new ArrayList<>();
    private final Map<ChannelId, Integer> subscribes = new HashMap<>();
    private final Map<ChannelId, Integer> interest = new HashMap<>();
    private boolean holding;
    private Predicate<Message> lose = message -> false;
    private volatile @Nullable BrokerListener listener;

    public ControlledBroker(InMemoryBroker delegate) {
        this.delegate = delegate;
    }

    public ControlledBroker() {
        this(InMemoryBroker.create());
    }

    /** From now on, reads wait until {@link #releaseReads()}. */
    public synchronized void holdReads() {
        holding = true;
    }

    /** Reads held so far. */
    public synchronized int heldReads() {
        return held.size();
    }

    /** Stops holding and completes every held read, in order, on the calling thread. */
    public void releaseReads() {
        List<HeldRead> released;
        synchronized (this) {
            holding = false;
            released = List.copyOf(held);
            held.clear();
        }
        for (HeldRead read : released) {
            delegate.read(read.channel(), read.since(), read.limit()).whenComplete((page, failure) -> {
                if (failure != null) {
                    read.result().completeExceptionally(failure);
                } else {
                    read.result().complete(page);
                }
            });
        }
    }

    /** Deliveries matching {@code lost} never reach the listener; they are still stored. */
    public synchronized void lose(Predicate<Message> lost) {
        this.lose = lost;
    }

    /** Tells the listener that delivery of {@code channel} was interrupted and is restored. */
    public void interruptDelivery(ChannelId channel) {
        BrokerListener target = listener;
        if (target == null) {
            throw new IllegalStateException("broker not started");
        }
        target.onDeliveryInterrupted(channel);
    }

    private synchronized boolean lost(Message message) {
        return lose.test(message);
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
        delegate.start(message -> {
            if (!lost(message)) {
                listener.onMessage(message);
            }
        });
    }

    @Override
    public CompletableFuture<Void> subscribe(ChannelId channel) {
        synchronized (this) {
            subscribes.merge(channel, 1, Integer::sum);
            interest.merge(channel, 1, Integer::sum);
        }
        return delegate.subscribe(channel);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(ChannelId channel) {
        synchronized (this) {
            interest.merge(channel, -1, Integer::sum);
        }
        return delegate.unsubscribe(channel);
    }

    /** {@link #subscribe} calls for {@code channel} so far. */
    public synchronized int subscribes(ChannelId channel) {
        return subscribes.getOrDefault(channel, 0);
    }

    /** {@link #subscribe} calls for {@code channel} not yet matched by an {@link #unsubscribe}. */
    public synchronized int interest(ChannelId channel) {
        return interest.getOrDefault(channel, 0);
    }

    @Override
    public CompletableFuture<StreamPosition> publish(ChannelId channel, Payload payload, PublishOptions options) {
        return delegate.publish(channel, payload, options);
    }

    @Override
    public CompletableFuture<HistoryPage> read(ChannelId channel, @Nullable StreamPosition since, int limit) {
        synchronized (this) {
            if (holding) {
                CompletableFuture<HistoryPage> result = new CompletableFuture<>();
                held.add(new HeldRead(channel, since, limit, result));
                return result;
            }
        }
        return delegate.read(channel, since, limit);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
