package dev.herald.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a history read.
 *
 * @param messages messages after the requested position, oldest first; after a gap, the oldest retained ones
 * @param top      the channel's latest position when read (the offset of its last stored message)
 * @param gap      why the requested position could not be served in full, or {@code null} when it could
 * @param more     {@code true} when the limit cut the page short and more messages follow
 */
public record HistoryPage(List<Message> messages, StreamPosition top, @Nullable GapReason gap, boolean more) {

    public HistoryPage {
        messages = List.copyOf(messages);
    }

    /**
     * The position a reader continues from after this page: its last message, or when the page is empty, the
     * position just before where the messages would have started.
     */
    public StreamPosition next(@Nullable StreamPosition since) {
        if (!messages.isEmpty()) {
            return messages.get(messages.size() - 1).position();
        }
        if (gap == null && since != null) {
            return since;
        }
        return top;
    }

    /** The position a reset continues from: just before the first message of this page. */
    public StreamPosition resetPosition() {
        return messages.isEmpty() ? top : top.at(messages.get(0).offset() - 1);
    }
}
