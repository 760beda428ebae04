package dev.herald.core.spi;

import dev.herald.core.ChannelId;
import dev.herald.core.Member;
import dev.herald.core.PresenceSnapshot;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps who is in each channel and announces every change. Thread-safe.
 *
 * <p>Lifecycle: {@link #start(PresenceListener)} once, then any other method from any thread, then
 * {@link #close()}. After close, methods return failed futures.
 *
 * <p>Contract, which every implementation keeps (and the hub relies on to hand each subscription a consistent
 * list): every change of a channel gets a revision greater than every earlier change of that channel; the listener
 * sees a channel's changes in revision order, never concurrently for one channel, and never on the thread that
 * called {@link #join} or {@link #leave} while that call is running (callers may hold locks); a snapshot reflects
 * exactly the changes up to its revision.
 *
 * <p>An implementation shared by several nodes (e.g. on Redis) announces the changes made on every node, and
 * removes the members of a node that stopped without leaving (e.g. entries that expire unless refreshed).
 */
public interface Presence extends AutoCloseable {

    /** Called once, before anything else; every change is handed to {@code listener}. */
    void start(PresenceListener listener);

    /**
     * Adds {@code member} to {@code channel}. Completes when the member is in; fails with
     * {@link dev.herald.core.PresenceLimitException} when the channel is full, and with
     * {@link IllegalStateException} when the member's connection is already in the channel.
     */
    CompletableFuture<Void> join(ChannelId channel, Member member);

    /** Removes {@code member} from {@code channel}; a member that is not in it is ignored. */
    CompletableFuture<Void> leave(ChannelId channel, Member member);

    /** Who is in {@code channel} now. */
    CompletableFuture<PresenceSnapshot> members(ChannelId channel);

    @Override
    void close();
}
