package dev.herald.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The server under test and its URLs. Herald speaks docs/protocol.md; Nchan is driven through the locations of
 * {@code herald-bench/nchan/nginx.conf} ({@code /pub/C}, {@code /sse/C}, {@code /lp/C}, {@code /sp/C},
 * {@code /ws/C}, {@code /nchan_status}).
 */
public enum ServerKind {
    HERALD,
    NCHAN;

    public static ServerKind parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    public String publishPath(String channel) {
        return this == HERALD ? "/v1/channels/" + channel + "/messages" : "/pub/" + channel;
    }

    public String ssePath(String channel) {
        return this == HERALD ? "/v1/sse?channel=" + channel : "/sse/" + channel;
    }

    /** Herald's long poll; Nchan's cursor travels in headers, not here. */
    public String longPollPath(String channel, @Nullable String cursor, int timeoutSeconds) {
        if (this == NCHAN) {
            return "/lp/" + channel;
        }
        return "/v1/poll?channel=" + channel + "&timeout=" + timeoutSeconds
                + (cursor == null ? "" : "&after=" + encode(cursor));
    }

    public String shortPollPath(String channel, @Nullable String cursor) {
        if (this == NCHAN) {
            return "/sp/" + channel;
        }
        return "/v1/channels/" + channel + "/messages?limit=1000" + (cursor == null ? "" : "&after=" + encode(cursor));
    }

    public String wsPath(String channel) {
        return this == HERALD ? "/v1/ws" : "/ws/" + channel;
    }

    /** Where the count of registered subscriptions is read from. */
    public String statsPath() {
        return this == HERALD ? "/v1/stats" : "/nchan_status";
    }

    /** Parses the number of subscriptions the server holds out of the stats body, or -1 when unknown. */
    public long subscriptions(String statsBody) {
        String key = this == HERALD ? "\"subscriptions\":" : "subscribers:";
        int at = statsBody.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = at + key.length();
        while (i < statsBody.length() && statsBody.charAt(i) == ' ') {
            i++;
        }
        long n = 0;
        int start = i;
        while (i < statsBody.length() && Character.isDigit(statsBody.charAt(i))) {
            n = n * 10 + (statsBody.charAt(i++) - '0');
        }
        return i == start ? -1 : n;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
