package dev.herald.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Subscriber} that records what the node hands it — messages, resets and close reasons — in arrival order
 * (OkHttp's {@code WebSocketRecorder}, Jetty's {@code IncomingFramesCapture}).
 *
 * <p>Two views of the record: snapshots ({@link #events()}, {@link #messages()}, {@link #offsets()}) that leave it
 * untouched, and a consuming cursor ({@link #awaitMessages}, {@link #takeReset()}, {@link #takeClose()}) that walks
 * it in order, waiting with a deadline for events still to come. {@link #assertExhausted()} then checks that every
 * recorded event was consumed, so a test that forgets to look at a surprise reset or close fails.
 *
 * <p>A recorder built with {@link #refusingAfter(int)} accepts that many offers (messages and resets together) and
 * refuses every later one, as a subscriber with a full buffer would. Like a real subscriber, it refuses every offer
 * once closed; refused offers are counted, not recorded.
 *
 * <p>Thread-safe: one lock guards the record; waits use deadlines, never sleeps.
 */
public final class RecordingSubscriber implements Subscriber {

    /** How long the consuming methods wait when not told; only a failing test waits this long. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** One thing the node handed this subscriber. */
    public sealed interface Event permits Delivered, ResetSignal, Closed {
    }

    /** An accepted {@link #offer(Message)}. */
    public record Delivered(Message message) implements Event {
    }

    /** An accepted {@link #offerReset(Reset)}. */
    public record ResetSignal(Reset reset) implements Event {
    }

    /** A call of {@link #close(CloseReason)}; every call is recorded, so a double close shows. */
    public record Closed(CloseReason reason) implements Event {
    }

    private final String name;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Event> events = new ArrayList<>();
    private int consumed;
    private int accepted;
    private int refused;
    private boolean closed;

    private RecordingSubscriber(String name, int capacity) {
        this.name = name;
        this.capacity = capacity;
    }

    /** A recorder that accepts every offer until it is closed. */
    public RecordingSubscriber() {
        this("recorder");
    }

    /** A recorder named {@code name} (shown in failures) that accepts every offer until it is closed. */
    public RecordingSubscriber(String name) {
        this(name, Integer.MAX_VALUE);
    }

    /** A recorder that accepts {@code acceptedOffers} offers and refuses the rest, like a full buffer. */
    public static RecordingSubscriber refusingAfter(int acceptedOffers) {
        if (acceptedOffers < 0) {
            throw new IllegalArgumentException("accepted offers must not be negative: " + acceptedOffers);
        }
        return new RecordingSubscriber("refusing-after-" + acceptedOffers, acceptedOffers);
    }

    @Override
    public boolean offer(Message message) {
        return record(new Delivered(message));
    }

    @Override
    public boolean offerReset(Reset reset) {
        return record(new ResetSignal(reset));
    }

    @Override
    public void close(CloseReason reason) {
        lock.lock();
        try {
            closed = true;
            events.add(new Closed(reason));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean record(Event event) {
        lock.lock();
        try {
            if (closed || accepted >= capacity) {
                refused++;
                return false;
            }
            accepted++;
            events.add(event);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- consuming, in order ----

    /** Consumes the next {@code n} events, which must all be messages, waiting up to {@link #DEFAULT_TIMEOUT}. */
    public List<Message> awaitMessages(int n) {
        return awaitMessages(n, DEFAULT_TIMEOUT);
    }

    /**
     * Consumes the next {@code n} events, waiting up to {@code timeout} for them to arrive, and returns their
     * messages. Fails at once when one of them is a reset or a close, and after the timeout when fewer arrived.
     */
    public List<Message> awaitMessages(int n, Duration timeout) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (true) {
                int available = events.size() - consumed;
                for (int i = consumed; i < consumed + Math.min(n, available); i++) {
                    if (!(events.get(i) instanceof Delivered)) {
                        throw new AssertionError(name + ": expected " + n + " messages but event " + (i - consumed)
                                + " is " + events.get(i) + "; unconsumed: " + unconsumed());
                    }
                }
                if (available >= n) {
                    List<Message> messages = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        messages.add(((Delivered) events.get(consumed++)).message());
                    }
                    return messages;
                }
                if (remaining <= 0) {
                    throw new AssertionError(name + ": expected " + n + " messages within " + timeout + " but got "
                            + available + ": " + unconsumed());
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting for messages", e);
        } finally {
            lock.unlock();
        }
    }

    /** Consumes the next event, which must be a message, and returns it. */
    public Message takeMessage() {
        return awaitMessages(1).get(0);
    }

    /** Consumes the next event, which must be a reset, and returns it. */
    public Reset takeReset() {
        Event event = takeEvent(DEFAULT_TIMEOUT);
        if (event instanceof ResetSignal(Reset reset)) {
            return reset;
        }
        throw new AssertionError(name + ": expected a reset but got " + event);
    }

    /** Consumes the next event, which must be a close, and returns its reason. */
    public CloseReason takeClose() {
        Event event = takeEvent(DEFAULT_TIMEOUT);
        if (event instanceof Closed(CloseReason reason)) {
            return reason;
        }
        throw new AssertionError(name + ": expected a close but got " + event);
    }

    /** Consumes the next event of any kind, waiting up to {@code timeout} for it. */
    public Event takeEvent(Duration timeout) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (consumed == events.size()) {
                if (remaining <= 0) {
                    throw new AssertionError(name + ": no event within " + timeout);
                }
                remaining = changed.awaitNanos(remaining);
            }
            return events.get(consumed++);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting for an event", e);
        } finally {
            lock.unlock();
        }
    }

    /** Fails unless every recorded event has been consumed. Meant for {@code @AfterEach}. */
    public void assertExhausted() {
        lock.lock();
        try {
            if (consumed != events.size()) {
                throw new AssertionError(name + ": " + (events.size() - consumed) + " unconsumed event(s): "
                        + unconsumed());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} until this subscriber has been closed, without consuming anything. */
    public CloseReason awaitClosed(Duration timeout) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (!closed) {
                if (remaining <= 0) {
                    throw new AssertionError(name + ": not closed within " + timeout + "; events: " + events);
                }
                remaining = changed.awaitNanos(remaining);
            }
            return closeReason();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting for a close", e);
        } finally {
            lock.unlock();
        }
    }

    private List<Event> unconsumed() {
        return List.copyOf(events.subList(consumed, events.size()));
    }

    // ---- snapshots, not consuming ----

    /** Everything recorded so far, in order. */
    public List<Event> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** The messages recorded so far, in order. */
    public List<Message> messages() {
        return events().stream()
                .filter(Delivered.class::isInstance)
                .map(e -> ((Delivered) e).message())
                .toList();
    }

    /** The offsets of the messages recorded so far, in order. */
    public List<Long> offsets() {
        return messages().stream().map(Message::offset).toList();
    }

    /** The first close reason, or {@code null} when not closed. */
    public @Nullable CloseReason closeReason() {
        return events().stream()
                .filter(Closed.class::isInstance)
                .map(e -> ((Closed) e).reason())
                .findFirst()
                .orElse(null);
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Offers refused because the recorder was full or closed. */
    public int refusedOffers() {
        lock.lock();
        try {
            return refused;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code n} messages were recorded in total, without consuming; returns a snapshot of them. */
    public List<Message> awaitRecorded(int n, Duration timeout) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (true) {
                List<Message> messages = messages();
                if (messages.size() >= n) {
                    return messages;
                }
                if (closed || remaining <= 0) {
                    throw new AssertionError(name + ": expected " + n + " messages but got " + messages.size()
                            + (closed ? " before being closed: " + closeReason() : " within " + timeout));
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting for messages", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RecordingSubscriber[" + name + "]";
    }
}
