package dev.herald.server.http;

import dev.herald.server.internal.LiveConnections;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Every open connection of a server, each with its {@link HttpConnection} state. Thread-safe.
 *
 * <p>Split like {@link LiveConnections}, into {@value LiveConnections#SLICES} Netty channel groups by identity hash,
 * so that a housekeeping pass walks only the slices it visits: with one group, each of the ten passes a second
 * walked every connection to pick out its tenth (7.7 % of the server's CPU at 10,000 long polls).
 */
public final class HttpConnections {

    private final ChannelGroup[] slices = new ChannelGroup[LiveConnections.SLICES];

    public HttpConnections() {
        for (int i = 0; i < slices.length; i++) {
            slices[i] = new DefaultChannelGroup("herald-" + i, GlobalEventExecutor.INSTANCE);
        }
    }

    /** A connection opened: it is tracked until it closes, and waits for its first request from now on. */
    void opened(Channel channel) {
        slices[Math.floorMod(System.identityHashCode(channel), slices.length)].add(channel);
        HttpConnection.opened(channel);
    }

    public int size() {
        int size = 0;
        for (ChannelGroup slice : slices) {
            size += slice.size();
        }
        return size;
    }

    /**
     * Part {@code part} of {@code parts} of a housekeeping pass (the slices {@code i % parts == part}): connections
     * that have waited for a request longer than {@code requestTimeoutNanos} are closed, held requests are ticked.
     */
    public void tick(long nowNanos, long requestTimeoutNanos, int part, int parts) {
        for (int i = part; i < slices.length; i += parts) {
            for (Channel channel : slices[i]) {
                HttpConnection connection = HttpConnection.find(channel);
                if (connection != null) {   // null between accept and its pipeline's set-up
                    connection.tick(channel, nowNanos, requestTimeoutNanos);
                }
            }
        }
    }

    /** The server is shutting down: every held request is answered. */
    public void shutdownHeld() {
        for (ChannelGroup slice : slices) {
            for (Channel channel : slice) {
                HttpConnection connection = HttpConnection.find(channel);
                if (connection != null) {
                    connection.shutdown();
                }
            }
        }
    }

    /** Waits until every connection has closed, or {@code millis} passed. */
    public void awaitAllClosed(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (ChannelGroup slice : slices) {
            slice.newCloseFuture().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Closes every connection, waiting at most {@code nanos} for them to close. */
    public void closeAll(long nanos) {
        long deadline = System.nanoTime() + nanos;
        ChannelGroupFuture[] closing = new ChannelGroupFuture[slices.length];
        for (int i = 0; i < slices.length; i++) {
            closing[i] = slices[i].close();
        }
        for (ChannelGroupFuture slice : closing) {
            slice.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
