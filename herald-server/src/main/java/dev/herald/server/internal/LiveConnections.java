package dev.herald.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every held connection (SSE stream, WebSocket, long poll) of a server, so that one server-wide task can send
 * keep-alives and pings, and a shutdown can tell each client to reconnect. One registry per server; thread-safe.
 *
 * <p>The registry is split into {@value #SLICES} slices by identity hash, so the task can visit one slice at a time
 * (e.g. one every 100 ms, each connection once a second): the writes that fall due go out in ten small bursts a
 * second instead of one large one, for the same number of visits.
 */
public final class LiveConnections {

    /** How many slices the registry has; the housekeeping task visits between 1 and this many per pass. */
    public static final int SLICES = 10;

    /** A held connection. Both methods may be called from any thread and must not block. */
    public interface Live {
        /** The server is shutting down: end the response so the client reconnects (elsewhere). */
        void shutdown();

        /** A periodic tick from the server's single keep-alive task; {@code nowNanos} from {@link System#nanoTime()}. */
        default void tick(long nowNanos) {
        }
    }

    private final List<Set<Live>> slices = new ArrayList<>(SLICES);

    public LiveConnections() {
        for (int i = 0; i < SLICES; i++) {
            slices.add(ConcurrentHashMap.newKeySet());
        }
    }

    /**
     * {@code interval} shortened by a fixed amount in {@code [0, interval / 4)} that differs between connections.
     * Connections that opened, or last wrote, in the same tick would otherwise send their keep-alives or pings in
     * the same tick forever after: thousands of writes in one burst on the event loop, delaying every message that
     * arrives meanwhile. Spread, they fall due over a quarter of the interval. Derived from the connection's identity
     * hash (which its entry in this registry already computed), so it costs no field.
     */
    public static long spread(Live connection, long interval) {
        long quarter = interval / 4;
        if (quarter == 0) {
            return interval;
        }
        return interval - Math.floorMod(System.identityHashCode(connection) * 0x9E3779B9L, quarter);
    }

    public void add(Live live) {
        slice(live).add(live);
    }

    public void remove(Live live) {
        slice(live).remove(live);
    }

    public int size() {
        int size = 0;
        for (Set<Live> slice : slices) {
            size += slice.size();
        }
        return size;
    }

    /** Ticks part {@code part} of {@code parts}: the connections in the slices {@code i % parts == part}. */
    public void tick(long nowNanos, int part, int parts) {
        for (int i = part; i < SLICES; i += parts) {
            for (Live live : slices.get(i)) {
                live.tick(nowNanos);
            }
        }
    }

    public void shutdownAll() {
        for (Set<Live> slice : slices) {
            for (Live live : slice) {
                live.shutdown();
            }
        }
    }

    private Set<Live> slice(Live live) {
        return slices.get(Math.floorMod(System.identityHashCode(live), SLICES));
    }
}
