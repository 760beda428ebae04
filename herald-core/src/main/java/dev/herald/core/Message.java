package dev.herald.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One published message: immutable apart from a cache of its wire encodings.
 *
 * <p>A message is fanned out to many subscribers, most of them speaking the same wire format. Each transport asks
 * {@link #encoded(Encoding)} for its bytes; the first call encodes and caches, every later call (for the other
 * subscribers, and for replays from history) shares the result. Two threads racing on the first call may both
 * encode; both results are equal and one wins, which is cheaper than a lock on the hot path.
 */
public final class Message {

    private static final VarHandle ENCODINGS =
            MethodHandles.arrayElementVarHandle(Object[].class);

    private final ChannelId channel;
    private final StreamPosition position;
    private final long publishedAtMillis;
    private final @Nullable String event;
    private final Payload payload;
    private final boolean ephemeral;
    private volatile Object @Nullable [] encodings;

    private Message(ChannelId channel, StreamPosition position, long publishedAtMillis, @Nullable String event,
                    Payload payload, boolean ephemeral) {
        this.channel = channel;
        this.position = position;
        this.publishedAtMillis = publishedAtMillis;
        this.event = event;
        this.payload = payload;
        this.ephemeral = ephemeral;
    }

    /**
     * Creates a message. For an ephemeral message, {@code position} is the channel's position when it was
     * published (no offset is consumed), so it must never be used as a resume point.
     */
    public static Message create(ChannelId channel, StreamPosition position, long publishedAtMillis,
                                 PublishOptions options, Payload payload) {
        return new Message(channel, position, publishedAtMillis, options.event(), payload, options.ephemeral());
    }

    public ChannelId channel() {
        return channel;
    }

    public StreamPosition position() {
        return position;
    }

    public long offset() {
        return position.offset();
    }

    public long publishedAtMillis() {
        return publishedAtMillis;
    }

    /** The publisher's event type, or {@code null}. */
    public @Nullable String event() {
        return event;
    }

    public Payload payload() {
        return payload;
    }

    /** Delivered live only; not in history, and its position is not a resume point. */
    public boolean ephemeral() {
        return ephemeral;
    }

    /** Approximate bytes this message holds on the heap, used for history budgets. */
    public long retainedSize() {
        return 96L + payload.size();
    }

    /** This message in {@code encoding}'s wire format, encoded at most once per message (see class comment). */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Encoding<T> encoding) {
        Object[] cache = encodings;
        if (cache == null) {
            cache = new Object[Encoding.MAX];
            encodings = cache;   // racing initialisers lose at most one cached entry, never correctness
        }
        Object value = ENCODINGS.getAcquire(cache, encoding.slot);
        if (value == null) {
            value = encoding.encoder.apply(this);
            ENCODINGS.setRelease(cache, encoding.slot, value);
        }
        return (T) value;
    }

    @Override
    public String toString() {
        return "Message[" + channel + " " + position + (ephemeral ? " ephemeral" : "")
                + (event != null ? " event=" + event : "") + " " + payload + "]";
    }

    /**
     * A wire format whose per-message encoding is cached on the message. Create one constant per format; at most
     * {@value #MAX} may exist per process. The encoder must be pure: it may run more than once for a message.
     */
    public static final class Encoding<T> {
        static final int MAX = 8;
        private static final AtomicInteger SLOTS = new AtomicInteger();

        private final int slot;
        private final Function<Message, T> encoder;

        private Encoding(Function<Message, T> encoder) {
            this.slot = SLOTS.getAndIncrement();
            if (slot >= MAX) {
                throw new IllegalStateException("at most " + MAX + " message encodings may exist");
            }
            this.encoder = encoder;
        }

        public static <T> Encoding<T> create(Function<Message, T> encoder) {
            return new Encoding<>(encoder);
        }
    }
}
