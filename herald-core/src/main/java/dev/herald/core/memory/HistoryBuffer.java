package dev.herald.core.memory;

import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.HistoryPage;
import dev.herald.core.Message;
import dev.herald.core.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One channel's retained messages: a ring buffer of consecutive offsets, oldest at {@code head}.
 *
 * <p>Concurrency: not thread-safe. {@link InMemoryBroker} guards each buffer with the buffer's own monitor and
 * holds it across assign-offset, append and fan-out, which is what makes a channel's publishes atomic and ordered.
 *
 * <p>Ordering: offsets are assigned here, one more than the last, and messages are only ever removed from the
 * head, so the buffer always holds a contiguous run {@code [oldest, top]} and a read after offset {@code n} is an
 * index computation, not a search.
 *
 * <p>Memory: at most {@code capacity} messages and, after {@link #trimToBytes(long)}, at most the given bytes.
 * Messages older than the age bound are dropped lazily, by {@link #trimByAge(long)} on every access and by the
 * broker's periodic sweep.
 */
final class HistoryBuffer {

    private final ChannelId channel;
    private final String epoch;
    private final Message[] ring;
    private int head;
    private int size;
    private long top;
    private long bytes;
    private long lastActivityMillis;
    private int interest;
    private boolean retired;

    HistoryBuffer(ChannelId channel, String epoch, int capacity, long nowMillis) {
        this.channel = channel;
        this.epoch = epoch;
        this.ring = new Message[capacity];
        this.lastActivityMillis = nowMillis;
    }

    ChannelId channel() {
        return channel;
    }

    StreamPosition top() {
        return new StreamPosition(epoch, top);
    }

    /** Assigns the next position; the caller builds the message and {@link #append(Message)}s it. */
    StreamPosition nextPosition() {
        return new StreamPosition(epoch, top + 1);
    }

    /** Appends the message created at {@link #nextPosition()}; returns the bytes added. */
    long append(Message message, long nowMillis) {
        assert message.offset() == top + 1 : message + " after " + top;
        top = message.offset();
        lastActivityMillis = nowMillis;
        if (ring.length == 0) {
            return 0;
        }
        long freed = 0;
        if (size == ring.length) {
            freed = removeOldest();
        }
        ring[(head + size) % ring.length] = message;
        size++;
        bytes += message.retainedSize();
        return message.retainedSize() - freed;
    }

    /** Skips an offset without retaining its message (history budget exhausted); readers will see a gap. */
    void skip(Message message, long nowMillis) {
        top = message.offset();
        lastActivityMillis = nowMillis;
    }

    /** Drops messages published before {@code cutoffMillis}; returns the bytes freed. */
    long trimByAge(long cutoffMillis) {
        long freed = 0;
        while (size > 0 && ring[head].publishedAtMillis() < cutoffMillis) {
            freed += removeOldest();
        }
        return freed;
    }

    /** Drops oldest messages until at most {@code maxBytes} are retained; returns the bytes freed. */
    long trimToBytes(long maxBytes) {
        long freed = 0;
        while (size > 0 && bytes > maxBytes) {
            freed += removeOldest();
        }
        return freed;
    }

    /** Drops the oldest message; returns the bytes freed (0 when empty). */
    long removeOldest() {
        if (size == 0) {
            return 0;
        }
        Message oldest = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        bytes -= oldest.retainedSize();
        return oldest.retainedSize();
    }

    HistoryPage read(@Nullable StreamPosition since, int limit, long nowMillis) {
        lastActivityMillis = nowMillis;
        long oldest = size == 0 ? top + 1 : ring[head].offset();
        GapReason gap = null;
        long after;
        if (since == null) {
            after = oldest - 1;
        } else if (!since.epoch().equals(epoch)) {
            gap = GapReason.STREAM_RESTARTED;
            after = oldest - 1;
        } else if (since.offset() > top) {
            gap = GapReason.CURSOR_AHEAD;
            after = oldest - 1;
        } else if (since.offset() < oldest - 1) {
            gap = GapReason.HISTORY_TRIMMED;
            after = oldest - 1;
        } else {
            after = since.offset();
        }
        int available = (int) (top - after);
        int count = Math.min(available, limit);
        List<Message> messages = new ArrayList<>(count);
        int first = (int) (after + 1 - oldest);
        for (int i = 0; i < count; i++) {
            messages.add(ring[(head + first + i) % ring.length]);
        }
        return new HistoryPage(messages, top(), gap, available > count);
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    void addInterest() {
        interest++;
    }

    void removeInterest() {
        interest = Math.max(0, interest - 1);
    }

    /** Whether this node subscribed to the channel more often than it unsubscribed. */
    boolean hasInterest() {
        return interest > 0;
    }

    /** Marks this buffer as forgotten by the broker; it must not be used again. */
    void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }

    /** Nobody listens, nothing is retained, and nothing happened for {@code idleMillis}: safe to forget. */
    boolean idle(long nowMillis, long idleMillis) {
        return interest == 0 && size == 0 && nowMillis - lastActivityMillis >= idleMillis;
    }
}
