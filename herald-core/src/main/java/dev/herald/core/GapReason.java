package dev.herald.core;

/**
 * Why a cursor could not be served in full. Each is sent to the client as an explicit reset signal, never hidden.
 */
public enum GapReason {
    /** Messages after the cursor were dropped by the history's count, age or memory bounds. */
    HISTORY_TRIMMED("history_trimmed"),
    /**
     * The cursor's epoch is not the channel's current one: the server restarted with in-memory history, or the
     * channel's history was dropped and started anew.
     */
    STREAM_RESTARTED("stream_restarted"),
    /** The cursor names an offset beyond the channel's last message, so it was not issued by this stream. */
    CURSOR_AHEAD("cursor_ahead");

    private final String wireName;

    GapReason(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on every wire (SSE {@code reset} event, poll {@code resets}, WebSocket {@code reset}). */
    public String wireName() {
        return wireName;
    }
}
