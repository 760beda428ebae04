package dev.herald.core.spi;

import dev.herald.core.ChannelId;
import dev.herald.core.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link BrokerListener} that records every message a broker hands it, in arrival order, and lets a test wait for
 * them with a deadline. Thread-safe: a broker may call it from its I/O thread while the test reads.
 */
public final class RecordingListener implements BrokerListener {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<Message> messages = new ArrayList<>();

    @Override
    public void onMessage(Message message) {
        lock.lock();
        try {
            messages.add(message);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Every message received so far, in arrival order. */
    public List<Message> messages() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    /** The messages of {@code channel} received so far, in arrival order. */
    public List<Message> messages(ChannelId channel) {
        return messages().stream().filter(m -> m.channel().equals(channel)).toList();
    }

    /** Offsets of {@code channel}'s messages received so far, in arrival order. */
    public List<Long> offsets(ChannelId channel) {
        return messages(channel).stream().map(Message::offset).toList();
    }

    /**
     * Waits up to {@code timeout} until at least {@code n} messages of {@code channel} have arrived; returns all of
     * that channel's messages so far. Fails with an {@link AssertionError} saying how many came.
     */
    public List<Message> awaitMessages(ChannelId channel, int n, Duration timeout) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (true) {
                List<Message> received = messages(channel);
                if (received.size() >= n) {
                    return received;
                }
                if (remaining <= 0) {
                    throw new AssertionError("expected " + n + " messages of " + channel + " within " + timeout
                            + " but got " + received.size() + ": " + received);
                }
                remaining = arrived.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for messages of " + channel, e);
        } finally {
            lock.unlock();
        }
    }
}
