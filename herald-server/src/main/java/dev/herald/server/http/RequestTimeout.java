package dev.herald.server.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The request timeout ({@code --request-timeout}): a connection must send a complete request within it of opening
 * or of its last answer. A connection that is busy with a request, holds a stream or a poll, or speaks WebSocket has
 * no deadline.
 *
 * <p>Deadlines are checked by the server's housekeeping tick, not by a timer per connection: a connection only
 * carries the time it started waiting, in an attribute, so an idle long poll or stream costs no scheduled task and
 * no handler, and a long-poll cycle no timer updates on every read and write.
 *
 * <p>Pipelined requests (sent before the previous answer arrived) are rare and not tracked one by one: an answer
 * starts the clock even if a later request is still being answered, so that one must finish within the timeout.
 */
public final class RequestTimeout {

    private static final AttributeKey<Long> WAITING_SINCE = AttributeKey.valueOf("herald.waitingForRequestSince");

    private RequestTimeout() {
    }

    /** The connection waits for its next request from now on (it opened, or its last answer went out). */
    public static void start(Channel channel) {
        channel.attr(WAITING_SINCE).set(System.nanoTime());
    }

    /** A complete request arrived: no deadline until it is answered. */
    static void stop(Channel channel) {
        channel.attr(WAITING_SINCE).set(null);
    }

    /** Closes each of {@code channels} that has waited for a request longer than {@code timeoutNanos}. */
    public static void closeExpired(Iterable<Channel> channels, long nowNanos, long timeoutNanos) {
        for (Channel channel : channels) {
            Long since = channel.attr(WAITING_SINCE).get();
            if (since != null && nowNanos - since > timeoutNanos) {
                channel.close();   // no complete request in time: an idle keep-alive or a slowloris connection
            }
        }
    }
}
