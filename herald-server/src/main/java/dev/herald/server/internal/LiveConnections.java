package dev.herald.server.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every held connection (SSE stream, long poll) of a server, so that one server-wide task can send keep-alives
 * and a shutdown can tell each client to reconnect. One registry per server; thread-safe.
 */
public final class LiveConnections {

    /** A held connection. Both methods may be called from any thread and must not block. */
    public interface Live {
        /** The server is shutting down: end the response so the client reconnects (elsewhere). */
        void shutdown();

        /** A periodic tick from the server's single keep-alive task; {@code nowNanos} from {@link System#nanoTime()}. */
        default void tick(long nowNanos) {
        }
    }

    private final Set<Live> connections = ConcurrentHashMap.newKeySet();

    public void add(Live live) {
        connections.add(live);
    }

    public void remove(Live live) {
        connections.remove(live);
    }

    public int size() {
        return connections.size();
    }

    public void tick(long nowNanos) {
        for (Live live : connections) {
            live.tick(nowNanos);
        }
    }

    public void shutdownAll() {
        for (Live live : connections) {
            live.shutdown();
        }
    }
}
