package dev.herald.core;

/**
 * A place in one channel's stream: the {@code offset} of the last message seen, within an {@code epoch}.
 *
 * <p>Offsets start at 1 and increase by one per stored message; offset 0 means "before the first message". The
 * epoch names one continuous life of the channel's history: an in-memory server draws a new epoch per channel when
 * it creates the channel, so after a restart old cursors carry an epoch the server does not know, and the server
 * answers with an explicit reset instead of silently reusing offsets.
 *
 * <p>Text form: {@code <epoch>-<offset>}, e.g. {@code k3f9a2qz1m-42}. Epochs are 1 to {@value #MAX_EPOCH_LENGTH}
 * characters of {@code [0-9a-z]}.
 */
public record StreamPosition(String epoch, long offset) implements Comparable<StreamPosition> {

    /** Longest accepted epoch, in characters. */
    public static final int MAX_EPOCH_LENGTH = 32;

    public StreamPosition {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        if (!validEpoch(epoch)) {
            throw new IllegalArgumentException("epoch must be 1-" + MAX_EPOCH_LENGTH + " characters of [0-9a-z]: '"
                    + epoch + "'");
        }
    }

    /** The position at {@code offset} in the same epoch. */
    public StreamPosition at(long newOffset) {
        return new StreamPosition(epoch, newOffset);
    }

    /** Parses the text form; throws {@link MalformedCursorException} with the reason when it is not one. */
    public static StreamPosition parse(String text) {
        int dash = text.lastIndexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            throw new MalformedCursorException("position '" + abbreviate(text) + "' is not of the form <epoch>-<offset>");
        }
        String epoch = text.substring(0, dash);
        if (!validEpoch(epoch)) {
            throw new MalformedCursorException("position '" + abbreviate(text) + "' has an invalid epoch");
        }
        if (text.length() - dash - 1 > 18 || !digits(text, dash + 1)) {
            throw new MalformedCursorException("position '" + abbreviate(text) + "' has an invalid offset");
        }
        return new StreamPosition(epoch, Long.parseLong(text, dash + 1, text.length(), 10));
    }

    @Override
    public String toString() {
        return epoch + '-' + offset;
    }

    /** Orders by offset within one epoch; positions of different epochs are not comparable. */
    @Override
    public int compareTo(StreamPosition other) {
        if (!epoch.equals(other.epoch)) {
            throw new IllegalArgumentException("positions of different epochs: " + this + " and " + other);
        }
        return Long.compare(offset, other.offset);
    }

    static boolean validEpoch(String epoch) {
        if (epoch == null || epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH) {
            return false;
        }
        for (int i = 0; i < epoch.length(); i++) {
            char c = epoch.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}
