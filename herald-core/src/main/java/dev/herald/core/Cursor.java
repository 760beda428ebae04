package dev.herald.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A resume point for a stream of one or more channels: one {@link StreamPosition} per channel, in the order the
 * stream lists its channels. It is what SSE sends as {@code id:}, what {@code Last-Event-ID}, {@code lastEventId}
 * and the polling {@code after=} parameter carry back, and what a poll response returns as {@code cursor}.
 *
 * <p>Text form: the positions' text forms joined by {@code ,}; a single-channel cursor is just one position, so a
 * message id ({@code <epoch>-<offset>}) is also a valid cursor for its channel. Immutable.
 */
public record Cursor(List<StreamPosition> positions) {

    public Cursor {
        positions = List.copyOf(positions);
        if (positions.isEmpty()) {
            throw new IllegalArgumentException("a cursor has at least one position");
        }
    }

    /** Parses the text form of a cursor for a stream of {@code channels} channels. */
    public static Cursor parse(String text, int channels) {
        if (text.isEmpty()) {
            throw new MalformedCursorException("cursor is empty");
        }
        // Bounded before splitting, so a hostile header cannot make us allocate an arbitrarily long list.
        int maxLength = channels * (StreamPosition.MAX_EPOCH_LENGTH + 20);
        if (text.length() > maxLength) {
            throw new MalformedCursorException("cursor is " + text.length() + " characters; a cursor for "
                    + channels + " channel(s) is at most " + maxLength);
        }
        if (channels == 1 && text.indexOf(',') < 0) {
            return new Cursor(List.of(StreamPosition.parse(text)));   // the common case, without the split
        }
        String[] parts = text.split(",", -1);
        if (parts.length != channels) {
            throw new MalformedCursorException("cursor has " + parts.length + " position(s) but the request names "
                    + channels + " channel(s)");
        }
        List<StreamPosition> positions = new ArrayList<>(parts.length);
        for (String part : parts) {
            positions.add(StreamPosition.parse(part));
        }
        return new Cursor(positions);
    }

    /** The position of the {@code index}th channel. */
    public StreamPosition get(int index) {
        return positions.get(index);
    }

    /** A copy with the {@code index}th position replaced. */
    public Cursor with(int index, StreamPosition position) {
        List<StreamPosition> copy = new ArrayList<>(positions);
        copy.set(index, position);
        return new Cursor(copy);
    }

    @Override
    public String toString() {
        if (positions.size() == 1) {
            return positions.get(0).toString();
        }
        StringBuilder text = new StringBuilder();
        for (StreamPosition position : positions) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(position);
        }
        return text.toString();
    }
}
