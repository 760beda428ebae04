package dev.herald.core.internal;

import dev.herald.core.ChannelId;
import dev.herald.core.CloseReason;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.HistoryPage;
import dev.herald.core.Member;
import dev.herald.core.Message;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PresenceSnapshot;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.core.memory.InMemoryPresence;
import dev.herald.core.spi.Broker;
import dev.herald.core.spi.BrokerListener;
import dev.herald.core.spi.History;
import dev.herald.core.spi.Presence;
import dev.herald.core.spi.PresenceListener;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Maps channels to their subscriptions on this node and fans each message from the broker out to them.
 *
 * <p>Concurrency: the channel map is a {@link ConcurrentHashMap}; each channel's subscriptions are a concurrent set,
 * added to and removed from under the map's {@code compute} for the channel (so the last one out reliably drops
 * broker interest), and iterated by fan-out without any lock of the hub's. A set rather than a copy-on-write array:
 * long polling unsubscribes and resubscribes every subscriber of a channel for every message, and copying an array
 * of N subscriptions for each made that O(N²) per message — measured with herald-bench at 10,000 long polls on one
 * channel, a 1 msg/s load took seconds per message and produced humongous-object garbage with 186 ms GC pauses. Each
 * subscription has its own monitor, held while it decides what to hand its subscriber; subscribers only queue, so
 * the monitor is held briefly. Nothing that reaches the broker or the history (a catch-up read, dropping broker
 * interest) runs under that monitor: a publisher holds the broker's channel lock while it calls {@link #onMessage},
 * so calling out under the monitor would take the two locks in the opposite order and deadlock. Such calls are
 * queued under the monitor and run by the same thread once it lets go. Broker interest ({@link Broker#subscribe})
 * is taken when a channel gets its first subscription. When its last one closes, the channel lingers: it keeps its
 * (empty) set and its interest until a {@link #sweep} finds it still empty a second time, and a subscription made
 * meanwhile takes it up again. A long poll closes its subscription with every answer, so a channel whose subscribers
 * are all long polls empties with each message and fills again within milliseconds as they poll again; without the
 * linger, each message cost an {@code UNSUBSCRIBE} and a {@code SUBSCRIBE} on Redis, every poll that came back
 * waited for that round trip, and the set grew from its smallest table again.
 *
 * <p>Ordering: a subscription resumes in three steps (Mercure's buffer-then-replay): it is registered first, so it
 * buffers every live message from then on; then history after its cursor is replayed; then the buffered messages
 * with offsets beyond the last replayed one are handed over and it goes live. Live messages are checked against
 * the last delivered position: a duplicate is dropped, and a hole (a message missed by the broker, e.g. while Redis
 * reconnected) or an epoch change sends the subscription back to history to catch up, so a subscriber sees every
 * offset exactly once, in order, or an explicit {@link Reset}. When the broker reports that its delivery of a
 * channel was interrupted ({@link #onDeliveryInterrupted}), every subscription of the channel catches up the same way,
 * since a channel that received nothing afterwards would show no hole.
 *
 * <p>Resuming at the newest: each channel remembers the newest stored position it knows of: the last message it
 * fanned out, or before any, the top that a subscription's first history read found. A subscription whose cursor is
 * that position (a long poll coming back with the cursor of its answer, or polling again on a quiet channel), or
 * that wants only what follows, goes live without reading history: there is nothing after that position to replay,
 * since the fan-out records each message before it reads the set of subscriptions, and a subscription registers and
 * reads the record under the same monitor, so any later message either reaches the subscription live or has moved
 * the record on (and the subscription reads history as usual). A read's top is recorded only when nothing newer is
 * known: a message after it was then not yet fanned out, and will reach every subscription registered by then. On
 * Redis this saves each returning long poll a round trip and a script. A broker that reports an interruption clears
 * the record, since what was published meanwhile never was fanned out, and a read made by a subscription registered
 * before the report is not recorded, since it may predate what was lost.
 *
 * <p>Presence: a subscription made with a {@link Member} joins the channel's {@link Presence} and receives its
 * changes, in the same buffer-then-replay shape: registered first (so it buffers every change from then on), it
 * joins, reads a snapshot and hands it over as a {@code SYNC}, then hands over the buffered changes newer than the
 * snapshot's revision and goes live. Closing the subscription leaves. Changes arrive from the presence on its own
 * thread, never while this hub holds a lock, so a subscription's monitor is never taken while the presence calls in.
 *
 * <p>Memory: a replaying subscription buffers at most {@code replayBufferLimit} live messages (and as many presence
 * changes while it syncs); beyond that its subscriber is closed as a slow consumer. History is read in pages of
 * {@code replayPageSize}. At most {@value #MAX_LINGERING_CHANNELS} channels linger at a time; beyond that a channel
 * that loses its last subscription is dropped at once.
 */
public final class Hub implements BrokerListener, PresenceListener {

    /** Empty channels kept with their broker interest, at most; see "Concurrency" in the class comment. */
    static final int MAX_LINGERING_CHANNELS = 10_000;

    private final ConcurrentHashMap<ChannelId, ChannelSubscriptions> channels = new ConcurrentHashMap<>();
    /** The channels lingering now: added and removed only under their channel's compute. */
    private final Set<ChannelId> lingering = ConcurrentHashMap.newKeySet();
    private final AtomicInteger subscriptionCount = new AtomicInteger();
    private final Broker broker;
    private final History history;
    private final Presence presence;
    private final int replayPageSize;
    private final int replayBufferLimit;

    /** A hub with its own in-memory presence. */
    public Hub(Broker broker, History history, int replayPageSize, int replayBufferLimit) {
        this(broker, history, InMemoryPresence.create(), replayPageSize, replayBufferLimit);
        presence.start(this);
    }

    /** A hub whose presence subscriptions use {@code presence}; the caller starts it with this hub as listener. */
    public Hub(Broker broker, History history, Presence presence, int replayPageSize, int replayBufferLimit) {
        this.broker = broker;
        this.history = history;
        this.presence = presence;
        this.replayPageSize = replayPageSize;
        this.replayBufferLimit = replayBufferLimit;
    }

    @Override
    public void onMessage(Message message) {
        ChannelSubscriptions entry = channels.get(message.channel());
        if (entry == null) {
            return;
        }
        if (!message.ephemeral()) {
            entry.fannedOut(message.position());   // before the fan-out reads the set; see "Resuming at the newest"
        }
        for (HubSubscription subscription : entry.subscriptions) {
            subscription.live(message);
        }
    }

    @Override
    public void onPresence(PresenceEvent event) {
        ChannelSubscriptions entry = channels.get(event.channel());
        if (entry == null) {
            return;
        }
        for (HubSubscription subscription : entry.subscriptions) {
            if (subscription.member != null) {
                subscription.presence(event);
            }
        }
    }

    /**
     * The broker's delivery of {@code channel} was interrupted and is restored: every live subscription of the
     * channel catches up from history (a replaying one does so once more when its replay ends), exactly as it does
     * when it sees a hole, so nothing published during the interruption is skipped silently.
     */
    @Override
    public void onDeliveryInterrupted(ChannelId channel) {
        ChannelSubscriptions entry = channels.get(channel);
        if (entry == null) {
            return;
        }
        entry.interrupted();
        for (HubSubscription subscription : entry.subscriptions) {
            subscription.resync();
        }
    }

    /** See {@link dev.herald.core.HeraldNode#subscribe}. */
    public CompletableFuture<Subscription> subscribe(ChannelId channel, @Nullable StreamPosition since,
                                                     Subscriber subscriber) {
        return subscribe(channel, since, subscriber, null);
    }

    /**
     * Subscribes; with a {@code member}, also joins the channel's presence as that member and delivers presence
     * changes (see the class comment). The future fails with {@link dev.herald.core.PresenceLimitException} when
     * the channel has no room for the member, and the subscription is then not made.
     */
    public CompletableFuture<Subscription> subscribe(ChannelId channel, @Nullable StreamPosition since,
                                                     Subscriber subscriber, @Nullable Member member) {
        HubSubscription subscription = new HubSubscription(channel, subscriber, member);
        CompletableFuture<Void> created = new CompletableFuture<>();
        Registration[] registration = {null};
        ChannelSubscriptions entry = channels.compute(channel, (c, current) -> {
            ChannelSubscriptions next = current != null ? current : new ChannelSubscriptions(created);
            if (next.lingering) {
                next.lingering = false;
                lingering.remove(c);
            }
            registration[0] = next.add(subscription);
            return next;
        });
        subscriptionCount.incrementAndGet();
        if (entry.interest == created) {
            // Outside compute: the broker takes its own locks, and publish holds those while it reaches the hub.
            broker.subscribe(channel).whenComplete((ok, failure) -> {
                if (failure != null) {
                    created.completeExceptionally(failure);
                } else {
                    created.complete(null);
                }
            });
        }
        return entry.interest
                .thenCompose(ignored -> subscription.begin(since, registration[0]))
                .handle((started, failure) -> {
                    if (failure != null) {
                        subscription.close();
                        throw new CompletionException(unwrap(failure));
                    }
                    return subscription;
                });
    }

    /** Subscriptions currently registered on this node. */
    public int subscriptionCount() {
        return subscriptionCount.get();
    }

    /** Channels this node holds broker interest in: those with a subscription and those lingering. */
    public int channelCount() {
        return channels.size();
    }

    /**
     * Drops the broker interest of each lingering channel that has stayed empty since the previous sweep, so a
     * channel lingers for between one and two sweep intervals. The server calls this about once a second; it
     * visits only the lingering channels.
     */
    public void sweep() {
        for (ChannelId channel : lingering) {
            boolean[] dropped = {false};
            channels.computeIfPresent(channel, (c, current) -> {
                if (!current.lingering) {
                    return current;
                }
                if (!current.sweptOnce) {
                    current.sweptOnce = true;
                    return current;
                }
                lingering.remove(c);
                dropped[0] = true;
                return null;
            });
            if (dropped[0]) {
                broker.unsubscribe(channel);
            }
        }
    }

    private void remove(HubSubscription subscription) {
        ChannelId channel = subscription.channel;
        boolean[] last = {false};
        channels.computeIfPresent(channel, (c, current) -> {
            if (!current.subscriptions.remove(subscription)) {
                return current;
            }
            subscriptionCount.decrementAndGet();
            if (!current.subscriptions.isEmpty()) {
                return current;
            }
            // Only an interest the broker granted can be taken up again; a failed or pending one is dropped.
            if (current.interest.isDone() && !current.interest.isCompletedExceptionally()
                    && lingering.size() < MAX_LINGERING_CHANNELS) {
                current.lingering = true;
                current.sweptOnce = false;
                lingering.add(c);
                return current;
            }
            last[0] = true;
            return null;
        });
        if (last[0]) {
            broker.unsubscribe(channel);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /**
     * A channel's subscriptions (a concurrent set, changed only under the channel's compute), its broker interest,
     * whether it lingers empty (see "Concurrency" in the class comment), and the newest position known of it (see
     * "Resuming at the newest").
     */
    private static final class ChannelSubscriptions {
        final Set<HubSubscription> subscriptions = ConcurrentHashMap.newKeySet();
        final CompletableFuture<Void> interest;
        // Changed only under the channel's compute.
        boolean lingering;
        boolean sweptOnce;
        /** Null until a message is fanned out or history read, and again after an interruption; guarded by this. */
        private @Nullable StreamPosition newest;
        /** Interruptions reported so far; guarded by this monitor. */
        private long interruptions;

        ChannelSubscriptions(CompletableFuture<Void> interest) {
            this.interest = interest;
        }

        /**
         * Registers {@code subscription} and returns the newest position known so far. Under the monitor that
         * {@link #fannedOut} takes before the fan-out reads the set: either this add happens before that fan-out,
         * which then reaches the subscription, or the fan-out's position is returned here.
         */
        synchronized Registration add(HubSubscription subscription) {
            subscriptions.add(subscription);
            return new Registration(this, newest, interruptions);
        }

        /**
         * Records the top of a history read made by a subscription registered when {@code interruptions} had been
         * reported, unless a newer position is known or an interruption was reported since: every message after
         * that top either reaches every subscription registered by then or is fanned out after this, and moves the
         * record on.
         */
        synchronized void readTop(StreamPosition top, long interruptionsAtRegistration) {
            if (newest == null && interruptions == interruptionsAtRegistration) {
                newest = top;
            }
        }

        /** Records a stored message about to be fanned out; never moves back within an epoch. */
        synchronized void fannedOut(StreamPosition position) {
            StreamPosition current = newest;
            if (current == null || !current.epoch().equals(position.epoch()) || position.offset() > current.offset()) {
                newest = position;
            }
        }

        /** Delivery was interrupted: messages after {@code newest} may never be fanned out, so it proves nothing. */
        synchronized void interrupted() {
            newest = null;
            interruptions++;
        }
    }

    /** What a subscription learned of its channel when it registered: see "Resuming at the newest". */
    private record Registration(ChannelSubscriptions entry, @Nullable StreamPosition newest, long interruptions) {

        /** The channel's top as a history read after registering found it. */
        void read(StreamPosition top) {
            entry.readTop(top, interruptions);
        }
    }

    /** One subscriber's subscription to one channel; its state machine is described in the class comment. */
    private final class HubSubscription implements Subscription {
        private final ChannelId channel;
        private final Subscriber subscriber;
        /** Live messages waiting for a replay to end; allocated only then (most subscriptions never need it). */
        private @Nullable ArrayDeque<Message> pending;
        private final CompletableFuture<Void> started = new CompletableFuture<>();
        /** Calls out queued while holding the monitor; see "Concurrency" in the class comment. */
        private @Nullable ArrayDeque<Runnable> afterUnlock;
        private boolean replaying = true;
        /** Delivery was interrupted while replaying: catch up once more before going live. */
        private boolean resyncWanted;
        private boolean closed;
        private @Nullable StreamPosition last;
        private @Nullable StreamPosition start;
        // Presence, only with a member; guarded by this monitor like the rest.
        private final @Nullable Member member;
        /** Completes once the presence snapshot is handed over; only with a member. */
        private final @Nullable CompletableFuture<Void> synced;
        private @Nullable ArrayDeque<PresenceEvent> presencePending;
        private boolean presenceLive;
        private long presenceRevision = Long.MIN_VALUE;
        private boolean joined;

        HubSubscription(ChannelId channel, Subscriber subscriber, @Nullable Member member) {
            this.channel = channel;
            this.subscriber = subscriber;
            this.member = member;
            if (member != null) {
                presencePending = new ArrayDeque<>();
                synced = new CompletableFuture<>();
            } else {
                synced = null;
            }
        }

        @Override
        public ChannelId channel() {
            return channel;
        }

        @Override
        public synchronized StreamPosition start() {
            if (start == null) {
                throw new IllegalStateException("subscription has not started yet");
            }
            return start;
        }

        /**
         * Starts delivery after {@code since} (or from now, when null), knowing from {@code registration} that
         * every message after its newest position will reach this subscription live; see "Resuming at the newest"
         * in the class comment.
         */
        CompletableFuture<Void> begin(@Nullable StreamPosition since, Registration registration) {
            StreamPosition newest = registration.newest();
            if (newest != null && (since == null || since.equals(newest))) {
                startAt(newest);
            } else if (since == null) {
                // Live only: learn the top, then hand over whatever was buffered beyond it.
                history.read(channel, null, 0).whenComplete((page, failure) -> {
                    if (failure != null) {
                        fail(failure);
                        return;
                    }
                    registration.read(page.top());
                    startAt(page.top());
                });
            } else {
                synchronized (this) {
                    last = since;
                }
                catchUp(since, registration);
            }
            if (member == null) {
                return started;
            }
            return started.thenCombine(beginPresence(member), (a, b) -> null);
        }

        /** Goes live after {@code position}, with nothing to replay before it. */
        private void startAt(StreamPosition position) {
            synchronized (this) {
                last = position;
                start = position;
                if (!resume()) {
                    goLive();
                }
            }
            runAfterUnlock();
        }

        /** Joins, then hands over a snapshot and goes live with presence changes; completes {@code synced}. */
        private CompletableFuture<Void> beginPresence(Member me) {
            presence.join(channel, me).thenCompose(ignored -> {
                boolean leaveNow;
                synchronized (this) {
                    leaveNow = closed;
                    joined = !closed;
                }
                if (leaveNow) {
                    presence.leave(channel, me);
                    throw new CompletionException(new IllegalStateException("subscription closed while joining"));
                }
                return presence.members(channel);
            }).whenComplete((snapshot, failure) -> {
                if (failure != null) {
                    synced.completeExceptionally(unwrap(failure));
                } else {
                    sync(snapshot);
                }
            });
            return synced;
        }

        private void sync(PresenceSnapshot snapshot) {
            syncLocked(snapshot);
            runAfterUnlock();
        }

        private synchronized void syncLocked(PresenceSnapshot snapshot) {
            if (closed) {
                later(() -> synced.completeExceptionally(
                        new IllegalStateException("subscription closed while syncing presence")));
                return;
            }
            PresenceEvent all = new PresenceEvent(channel, PresenceEvent.Action.SYNC, snapshot.members(),
                    snapshot.revision());
            if (!subscriber.offerPresence(all)) {
                slow();
                return;
            }
            presenceRevision = snapshot.revision();
            presenceLive = true;
            ArrayDeque<PresenceEvent> buffered = presencePending;
            presencePending = null;
            if (buffered != null) {
                for (PresenceEvent event : buffered) {
                    if (!handOver(event)) {
                        return;
                    }
                }
            }
            later(() -> synced.complete(null));   // the subscriber's callbacks run outside the monitor
        }

        void presence(PresenceEvent event) {
            presenceLocked(event);
            runAfterUnlock();
        }

        private synchronized void presenceLocked(PresenceEvent event) {
            if (closed) {
                return;
            }
            if (!presenceLive) {
                ArrayDeque<PresenceEvent> buffered = presencePending;
                if (buffered == null || buffered.size() >= replayBufferLimit) {
                    slow();
                    return;
                }
                buffered.addLast(event);
                return;
            }
            handOver(event);
        }

        /** Hands a change over unless the snapshot already reflects it; called holding the monitor. */
        private boolean handOver(PresenceEvent event) {
            if (event.revision() <= presenceRevision) {
                return true;
            }
            if (!subscriber.offerPresence(event)) {
                slow();
                return false;
            }
            presenceRevision = event.revision();
            return true;
        }

        /** See {@link Hub#onDeliveryInterrupted}. */
        void resync() {
            resyncLocked();
            runAfterUnlock();
        }

        private synchronized void resyncLocked() {
            if (closed) {
                return;
            }
            if (replaying) {
                resyncWanted = true;   // the read in flight may predate the interruption
                return;
            }
            replaying = true;
            catchUp(last, null);
        }

        /** Starts the catch-up a resync asked for while replaying; called holding the monitor. */
        private boolean resume() {
            if (!resyncWanted || closed) {
                return false;
            }
            resyncWanted = false;
            catchUp(last, null);
            return true;
        }

        void live(Message message) {
            liveLocked(message);
            // The common case queues nothing. A plain read suffices: what this thread queued it sees, and what
            // another thread queues under the monitor that thread runs itself once it lets go.
            if (afterUnlock != null) {
                runAfterUnlock();
            }
        }

        private synchronized void liveLocked(Message message) {
            if (closed) {
                return;
            }
            if (replaying) {
                buffer(message);
            } else {
                accept(message, false);
            }
        }

        private void buffer(Message message) {
            if ((pending == null ? 0 : pending.size()) >= replayBufferLimit) {
                slow();
                return;
            }
            if (pending == null) {
                pending = new ArrayDeque<>();
            }
            pending.addLast(message);
        }

        /** Hands {@code message} over if it is the next one; called holding the monitor, not while replaying. */
        private void accept(Message message, boolean fromPending) {
            StreamPosition at = last;
            assert at != null;
            if (message.ephemeral()) {
                deliver(message);
                return;
            }
            if (message.position().epoch().equals(at.epoch()) && message.offset() <= at.offset()) {
                return;   // already delivered, by replay or a redelivery from the broker
            }
            if (!message.position().epoch().equals(at.epoch()) || message.offset() != at.offset() + 1) {
                // A hole or a new epoch: history knows what we missed (or that it is gone).
                replaying = true;
                if (fromPending) {
                    if (pending == null) {
                        pending = new ArrayDeque<>();
                    }
                    pending.addFirst(message);
                } else {
                    buffer(message);
                }
                catchUp(at, null);
                return;
            }
            if (deliver(message)) {
                last = message.position();
            }
        }

        private boolean deliver(Message message) {
            if (!subscriber.offer(message)) {
                slow();
                return false;
            }
            return true;
        }

        /** Reads history after {@code since}; {@code first} is the subscription's registration on its first read. */
        private void catchUp(StreamPosition since, @Nullable Registration first) {
            if (Thread.holdsLock(this)) {
                later(() -> catchUp(since, first));
                return;
            }
            history.read(channel, since, replayPageSize).whenComplete((page, failure) -> {
                if (failure != null) {
                    fail(failure);
                    return;
                }
                if (first != null) {
                    first.read(page.top());
                }
                replay(page, first != null);
            });
        }

        private void replay(HistoryPage page, boolean first) {
            replayLocked(page, first);
            runAfterUnlock();
        }

        private synchronized void replayLocked(HistoryPage page, boolean first) {
            if (closed) {
                return;
            }
            if (page.gap() != null) {
                Reset reset = new Reset(channel, page.gap(), page.resetPosition());
                if (!subscriber.offerReset(reset)) {
                    slow();
                    return;
                }
                last = reset.position();
            }
            if (first) {
                start = last;
            }
            for (Message message : page.messages()) {
                if (!deliver(message)) {
                    return;
                }
                last = message.position();
            }
            if (page.more()) {
                catchUp(last, null);
                return;
            }
            if (resume()) {
                return;
            }
            goLive();
        }

        /**
         * Drains the buffer of live messages and goes live; called holding the monitor. The future completes once
         * the monitor is released, so the caller's callbacks never run under the hub's lock.
         */
        private void goLive() {
            replaying = false;
            while (!replaying && !closed && pending != null && !pending.isEmpty()) {
                accept(pending.pollFirst(), true);
            }
            if (pending != null && pending.isEmpty()) {
                pending = null;   // live now: an idle subscription keeps no buffer
            }
            later(() -> started.complete(null));
        }

        /** Closes as a slow consumer; called holding the monitor. The futures fail once the hub has let go of it. */
        private void slow() {
            close();
            subscriber.close(CloseReason.SLOW_CONSUMER);
            later(() -> {
                started.completeExceptionally(new IllegalStateException("closed as a slow consumer while replaying"));
                if (synced != null) {
                    synced.completeExceptionally(new IllegalStateException("closed as a slow consumer while syncing"));
                }
            });
        }

        private void fail(Throwable failure) {
            Throwable cause = unwrap(failure);
            boolean wasStarted = started.isDone();
            close();
            if (wasStarted) {
                // A catch-up after going live failed: the subscriber cannot be kept consistent, so it reconnects.
                subscriber.close(cause instanceof HeraldUnavailableException
                        ? CloseReason.BROKER_UNAVAILABLE : CloseReason.INTERNAL_ERROR);
            } else {
                started.completeExceptionally(cause);
            }
        }

        @Override
        public void close() {
            boolean leave;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                pending = null;
                presencePending = null;
                leave = joined;
                joined = false;
            }
            Runnable leaveHub = () -> {
                remove(this);
                if (leave && member != null) {
                    // Safe under a caller's lock: the presence announces the leave on its own thread.
                    presence.leave(channel, member);
                }
            };
            if (Thread.holdsLock(this)) {
                later(leaveHub);   // closed from within, e.g. as a slow consumer
            } else {
                leaveHub.run();
            }
        }

        /** Queues a call out for when the monitor is released; called holding it. */
        private void later(Runnable action) {
            if (afterUnlock == null) {
                afterUnlock = new ArrayDeque<>(4);
            }
            afterUnlock.addLast(action);
        }

        /** Runs the calls queued under the monitor, unless this thread still holds it (its outer frame then will). */
        private void runAfterUnlock() {
            if (Thread.holdsLock(this)) {
                return;
            }
            while (true) {
                Runnable action;
                synchronized (this) {
                    action = afterUnlock == null ? null : afterUnlock.pollFirst();
                    if (action == null) {
                        afterUnlock = null;
                    }
                }
                if (action == null) {
                    return;
                }
                action.run();
            }
        }
    }
}
