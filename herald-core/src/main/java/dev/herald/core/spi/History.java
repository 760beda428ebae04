package dev.herald.core.spi;

import dev.herald.core.ChannelId;
import dev.herald.core.HistoryPage;
import dev.herald.core.StreamPosition;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** Reads a channel's retained messages. Thread-safe. */
public interface History {

    /**
     * Messages strictly after {@code since}, oldest first, at most {@code limit} (which may be 0 to learn only the
     * channel's top). With {@code since == null}, reads from the oldest retained message and never reports a gap.
     *
     * <p>When {@code since} cannot be served in full — its epoch is not the channel's, it is ahead of the channel's
     * last message, or messages after it were trimmed — the page carries the {@link dev.herald.core.GapReason} and
     * starts at the oldest retained message of the current epoch.
     */
    CompletableFuture<HistoryPage> read(ChannelId channel, @Nullable StreamPosition since, int limit);
}
