package dev.herald.server.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;

/**
 * What the server keeps for one HTTP/1.1 connection, in a single channel attribute: since when it has waited for
 * its next request, and what holds it (an SSE stream, or the long poll it is answering).
 *
 * <p><b>Request timeout</b> ({@code --request-timeout}): a connection must send a complete request within it of
 * opening or of its last answer. A connection that is busy with a request, is held, or speaks WebSocket has no
 * deadline. Pipelined requests (sent before the previous answer arrived) are rare and not tracked one by one: an
 * answer starts the clock even if a later request is still being answered, so that one must finish within the
 * timeout.
 *
 * <p><b>Held</b>: a further request on a held connection closes it, since HTTP/1.1 cannot answer it before the held
 * one. A held poll is reachable from its connection, so the server needs no registration, timer or close listener
 * per poll: the housekeeping pass over {@link HttpConnections} times polls out and closes idle connections, a
 * shutdown answers every poll, and the router tells the poll when its connection closes.
 *
 * <p>The housekeeping pass visits every connection once per tick (at most a second), a part of them at a time:
 * deadlines are checked, not scheduled, so an idle connection or a held poll costs no scheduled task, and a
 * long-poll cycle no timer updates. A poll's timeout is therefore answered up to one tick late. Fields are
 * volatile: the pass runs on one event loop for the connections of all of them.
 */
public final class HttpConnection {

    /** A request that holds its connection until it is answered: a long poll. May be called from any thread. */
    public interface HeldRequest {
        /** The housekeeping tick; {@code nowNanos} from {@link System#nanoTime()}. Answers if its time is up. */
        void tick(long nowNanos);

        /** The server is shutting down: answer now. */
        void shutdown();

        /** The connection closed: the client went away. */
        void closed();
    }

    private static final AttributeKey<HttpConnection> KEY = AttributeKey.valueOf("herald.http");
    private static final long NOT_WAITING = Long.MIN_VALUE;
    /** {@link #held} of a connection that carries an SSE stream for the rest of its life. */
    private static final Object STREAM = new Object();

    private volatile long waitingSince;
    /** {@code null}, {@link #STREAM}, or the {@link HeldRequest} being answered. */
    private volatile @Nullable Object held;

    private HttpConnection(long now) {
        this.waitingSince = now;
    }

    /** A connection opened: it waits for its first request from now on. */
    public static void opened(Channel channel) {
        channel.attr(KEY).set(new HttpConnection(System.nanoTime()));
    }

    public static HttpConnection of(Channel channel) {
        HttpConnection connection = find(channel);
        if (connection == null) {
            throw new IllegalStateException("not an HTTP connection of this server: " + channel);
        }
        return connection;
    }

    /** A complete request arrived: no deadline until it is answered. */
    void requestArrived() {
        waitingSince = NOT_WAITING;
    }

    /** The connection waits for its next request from now on (its last answer went out). */
    void answered() {
        waitingSince = System.nanoTime();
    }

    boolean isHeld() {
        return held != null;
    }

    /** The connection carries an SSE stream from now on. */
    void holdStream() {
        held = STREAM;
    }

    /** The connection is held by {@code request} until {@link #release}. */
    public void hold(HeldRequest request) {
        held = request;
    }

    /** The held request was answered: the connection may carry the next one. */
    public void release() {
        held = null;
    }

    /** The connection closed: a held request learns that its client went away. */
    void closed() {
        if (held instanceof HeldRequest request) {
            request.closed();
        }
    }

    /** This server's state of {@code channel}; null before its pipeline is set up. */
    static @Nullable HttpConnection find(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** A housekeeping visit: closes the connection if it waited too long for a request, or ticks its held request. */
    void tick(Channel channel, long nowNanos, long requestTimeoutNanos) {
        long since = waitingSince;
        if (since != NOT_WAITING && nowNanos - since > requestTimeoutNanos) {
            channel.close();   // no complete request in time: an idle keep-alive or a slowloris connection
        } else if (held instanceof HeldRequest request) {
            request.tick(nowNanos);
        }
    }

    /** The server is shutting down: a held request is answered. */
    void shutdown() {
        if (held instanceof HeldRequest request) {
            request.shutdown();
        }
    }
}
