package dev.herald.server.longpoll;

import dev.herald.core.CloseReason;
import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.http.HttpCodec;
import dev.herald.server.http.HttpConnection;
import dev.herald.server.http.HttpResponses;
import dev.herald.server.http.StreamRequest;
import dev.herald.server.internal.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One held poll: collects what the hub offers and answers once.
 *
 * <p>Concurrency: offers arrive on publisher threads, the housekeeping tick on its event loop, the subscribe
 * completion on whichever thread completed it; all state is guarded by this object's monitor, and the answer is
 * written on the connection's event loop. The answer goes out once the subscriptions are all in place (so every
 * channel's cursor is known) and then any of: something to deliver, the timeout, a shutdown.
 *
 * <p>Ordering and memory: at most {@code limit} messages are collected. Later ones are ignored rather than refused
 * (refusing would close this poll as a slow consumer); the returned cursor stops at the last collected message of
 * each channel, so the next poll gets them.
 */
final class LongPollSubscriber implements Subscriber, HttpConnection.HeldRequest {

    private static final Logger log = LoggerFactory.getLogger(LongPollSubscriber.class);

    /**
     * The answer to a one-channel poll that gets exactly this message and no reset, the common case while clients
     * keep up: its cursor is the message's position, so every such poll gets the same bytes, encoded once.
     */
    private static final Message.Encoding<HttpCodec.Prepared> ONLY_MESSAGE = Message.Encoding.create(m -> {
        ByteBuf page = Json.page(UnpooledByteBufAllocator.DEFAULT, List.of(m), List.of(), m.position().toString(),
                null);
        try {
            return HttpResponses.sharedJson(ByteBufUtil.getBytes(page));
        } finally {
            page.release();
        }
    });

    private final ChannelHandlerContext ctx;
    private final Answers answers;
    private final HttpConnection connection;
    private final boolean keepAlive;
    private final StreamRequest request;
    private final int limit;
    /** When the poll is answered with whatever there is, by {@link System#nanoTime()}. */
    private final long deadlineNanos;
    /** The endpoint's count of held polls, which this one is part of until it is done. */
    private final AtomicInteger held;
    private final StreamPosition[] positions;
    /** What to answer with; created with the first offer, since most polls answer with one message or none. */
    private @Nullable List<Message> messages;
    private @Nullable List<Reset> resets;
    private Subscription @Nullable [] subscriptions;
    private boolean full;
    private boolean answerWanted;
    private boolean answerScheduled;
    private boolean done;

    LongPollSubscriber(ChannelHandlerContext ctx, Answers answers, HttpConnection connection, boolean keepAlive,
                       StreamRequest request, int limit, long deadlineNanos, AtomicInteger held) {
        this.ctx = ctx;
        this.answers = answers;
        this.connection = connection;
        this.keepAlive = keepAlive;
        this.request = request;
        this.limit = limit;
        this.deadlineNanos = deadlineNanos;
        this.held = held;
        this.positions = new StreamPosition[request.channels().size()];
        if (request.cursor() != null) {
            request.cursor().positions().toArray(positions);
        }
        this.answerWanted = System.nanoTime() - deadlineNanos >= 0;   // timeout=0: answer once subscribed
        held.incrementAndGet();
        connection.hold(this);
    }

    @Override
    public synchronized boolean offer(Message message) {
        if (done || full) {
            return true;
        }
        if (messages == null) {
            messages = new ArrayList<>(Math.min(limit, 8));
        }
        messages.add(message);
        if (!message.ephemeral()) {
            positions[request.indexOf(message.channel())] = message.position();
        }
        full = messages.size() >= limit;
        answerIfReady();
        return true;
    }

    @Override
    public synchronized boolean offerReset(Reset reset) {
        if (done || full) {
            return true;
        }
        if (resets == null) {
            resets = new ArrayList<>(2);
        }
        resets.add(reset);
        positions[request.indexOf(reset.channel())] = reset.position();
        answerIfReady();
        return true;
    }

    void subscribed(Subscription[] all) {
        synchronized (this) {
            for (int i = 0; i < all.length; i++) {
                if (positions[i] == null) {
                    positions[i] = all[i].start();
                }
            }
            subscriptions = all;
            if (!done) {
                answerIfReady();
                return;
            }
        }
        release();
    }

    /** The timeout passed or the server is shutting down: answer with whatever there is. */
    private synchronized void respondSoon() {
        answerWanted = true;
        answerIfReady();
    }

    @Override
    public void tick(long nowNanos) {
        if (nowNanos - deadlineNanos >= 0) {
            respondSoon();
        }
    }

    @Override
    public void shutdown() {
        respondSoon();
    }

    @Override
    public void close(CloseReason reason) {
        respondSoon();
    }

    /** Subscribing failed: answer with {@code response} instead. */
    synchronized void fail(Runnable response) {
        if (done) {
            return;
        }
        done = true;
        held.decrementAndGet();
        ctx.executor().execute(() -> {
            connection.release();
            response.run();
        });
    }

    /** The connection closed: the client went away. */
    @Override
    public void closed() {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
        }
        held.decrementAndGet();
        release();
    }

    private void answerIfReady() {
        if (subscriptions != null && (answerWanted || messages != null || resets != null)) {
            scheduleAnswer();
        }
    }

    /** Answers on the event loop, after the current fan-out, so messages published together leave together. */
    private void scheduleAnswer() {
        if (answerScheduled || done) {
            return;
        }
        answerScheduled = true;
        answers.add(this);
    }

    private void answer() {
        @Nullable Message only;
        ByteBuf body = null;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            held.decrementAndGet();
            only = positions.length == 1 && resets == null && messages != null && messages.size() == 1
                    && !messages.get(0).ephemeral() ? messages.get(0) : null;
            if (only == null) {
                body = Json.page(ctx.alloc(), messages == null ? List.of() : messages,
                        resets == null ? List.of() : resets, new Cursor(List.of(positions)).toString(), null);
            }
        }
        release();
        connection.release();
        if (only != null) {
            HttpResponses.json(ctx, keepAlive, only.encoded(ONLY_MESSAGE));
        } else {
            HttpResponses.json(ctx, keepAlive, HttpResponseStatus.OK, body);
        }
    }

    /**
     * Drops the subscriptions, once done. Called without holding the monitor: closing a subscription takes the
     * hub's lock for it, and the hub holds that lock while it calls {@link #offer}.
     */
    private void release() {
        Subscription[] toClose;
        synchronized (this) {
            toClose = subscriptions;
        }
        if (toClose != null) {
            for (Subscription subscription : toClose) {
                subscription.close();
            }
        }
    }

    /**
     * The answers due on one event loop, written by one task. A fan-out to thousands of held polls thus answers
     * them all before the loop reads again, as Nchan does. With a task per answer, Netty's I/O ratio interleaved
     * them with the re-polls the first answers brought back (each one a read, a parse and a subscribe), and the
     * last polls of a fan-out waited for those (p99 in docs/benchmarks.md). Holds each held poll at most once
     * ({@code answerScheduled}), so it is bounded by the polls held on the loop. Thread-safe.
     */
    static final class Answers implements Runnable {

        private final EventExecutor loop;
        // Guarded by this monitor.
        private ArrayList<LongPollSubscriber> due = new ArrayList<>();
        private boolean scheduled;

        Answers(EventExecutor loop) {
            this.loop = loop;
        }

        void add(LongPollSubscriber subscriber) {
            boolean schedule;
            synchronized (this) {
                due.add(subscriber);
                schedule = !scheduled;
                scheduled = true;
            }
            if (schedule) {
                loop.execute(this);
            }
        }

        /** Answers what was due when it started; what comes due meanwhile gets the next run. */
        @Override
        public void run() {
            ArrayList<LongPollSubscriber> batch;
            synchronized (this) {
                batch = due;
                due = new ArrayList<>();
                scheduled = false;
            }
            for (LongPollSubscriber subscriber : batch) {
                try {
                    subscriber.answer();
                } catch (RuntimeException e) {
                    // One poll's failure is its connection's alone: the rest of the batch is still answered.
                    log.warn("answering a long poll failed; closing its connection", e);
                    subscriber.ctx.close();
                }
            }
        }
    }
}
