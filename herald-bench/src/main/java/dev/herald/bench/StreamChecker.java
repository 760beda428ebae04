package dev.herald.bench;

import java.util.BitSet;

/**
 * Checks one subscriber's stream of one channel: every sequence number from 1 to the number published exactly
 * once, in order. Not thread-safe: each subscriber's checker is fed from its connection's event loop.
 *
 * <ul>
 *   <li>duplicate: a sequence number seen before;</li>
 *   <li>out of order: a number below the highest seen that was not seen before (it arrived late);</li>
 *   <li>missing: published but never seen, known once {@link #missing(long)} is told how many were published.</li>
 * </ul>
 */
public final class StreamChecker {

    private final BitSet seen = new BitSet();
    private long highest;
    private long received;
    private long duplicates;
    private long outOfOrder;
    private long resets;

    /** Records sequence number {@code seq} (from 1). */
    public void accept(long seq) {
        if (seq < 1 || seq > Integer.MAX_VALUE) {
            outOfOrder++;
            return;
        }
        int index = (int) seq;
        if (seen.get(index)) {
            duplicates++;
            return;
        }
        seen.set(index);
        received++;
        if (seq < highest) {
            outOfOrder++;
        } else {
            highest = seq;
        }
    }

    /** A reset signal from the server: the stream says it could not be continued without a gap. */
    public void reset() {
        resets++;
    }

    /** Distinct messages received. */
    public long received() {
        return received;
    }

    public long duplicates() {
        return duplicates;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    public long resets() {
        return resets;
    }

    /** Messages among {@code 1..published} never received. */
    public long missing(long published) {
        if (published <= 0) {
            return 0;
        }
        int upTo = (int) Math.min(published, Integer.MAX_VALUE - 1);
        return upTo - seen.get(1, upTo + 1).cardinality();
    }

    /** Messages received beyond what was published (a server inventing messages, or a stale channel). */
    public long unexpected(long published) {
        return highest > published ? seen.get((int) Math.min(published + 1, Integer.MAX_VALUE), (int) highest + 1)
                .cardinality() : 0;
    }
}
