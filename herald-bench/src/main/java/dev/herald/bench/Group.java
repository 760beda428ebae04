package dev.herald.bench;

import java.util.concurrent.CompletableFuture;

/** A set of subscribers, in this process ({@link LocalGroup}) or in a worker process ({@link RemoteGroup}). */
interface Group extends AutoCloseable {

    /** Completes once every connection attempt has succeeded or failed. */
    CompletableFuture<Void> connect();

    /** Deliveries so far; for a worker, as of its last progress report. */
    long delivered();

    /** Subscribers connected (established), once {@link #connect()} completed. */
    int connectedCount();

    /** Stops the subscribers and summarises. {@code published[c]}: messages channel c got. */
    GroupResult finish(long[] published) throws Exception;

    /** The process these subscribers run in, for CPU accounting. */
    long pid();

    @Override
    void close();
}
