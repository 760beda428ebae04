package dev.herald.bench;

import java.util.Locale;

/** How a bench subscriber receives messages. */
public enum Transport {
    /** One WebSocket per subscriber. */
    WS,
    /** One {@code text/event-stream} response per subscriber. */
    SSE,
    /** A held request per subscriber, re-issued at once after every answer. */
    LONGPOLL,
    /** A plain request every {@code --poll-interval}, answered at once. */
    SHORTPOLL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A held connection that the server registers as a subscription (short polls hold nothing). */
    public boolean held() {
        return this != SHORTPOLL;
    }

    public boolean polling() {
        return this == LONGPOLL || this == SHORTPOLL;
    }

    public static Transport parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", ""));
    }
}
