package dev.herald.server.websocket;

import dev.herald.core.ChannelId;
import dev.herald.core.CloseReason;
import dev.herald.core.Message;
import dev.herald.core.PresenceEvent;
import dev.herald.core.Reset;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.internal.LiveConnections;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of one WebSocket connection: its subscriptions, its bounded queue of deliveries, its heartbeat
 * and its close.
 *
 * <p>Concurrency: the hub calls each subscription's {@link Sink} from publisher threads; a sink only appends to
 * the connection's lock-free queue and schedules one drain task on the connection's event loop. Everything else —
 * the subscription map, each sink's state, every write — is confined to that event loop, except {@link #tick},
 * which runs on the server's housekeeping thread and only reads volatile timestamps and schedules writes. A drain
 * writes every queued frame and flushes once, so a subscriber with several messages pending gets them in one
 * socket write; it stops while the channel is not writable and resumes when it is again.
 *
 * <p>Ordering: a subscription's answer ({@code ack} with its start position) goes out before anything delivered
 * for it: deliveries that arrive while the subscribe is in flight (replay, presence sync) are held and written
 * right after the ack. A channel's deliveries keep the hub's order; after {@code unsubscribe} nothing more of the
 * channel is written.
 *
 * <p>Memory: live deliveries are counted in bytes; beyond {@code maxQueuedBytes} an offer is refused and the hub
 * closes the connection as a slow consumer (4008). Deliveries that arrive before a subscription's ack — its replay
 * from history and the messages the hub buffered meanwhile — are counted by number instead, up to
 * {@value #MAX_REPLAY_DELIVERIES} per connection: the hub pushes a whole replay at once, so a byte bound would cut
 * off every client whose backlog exceeds it, however fast it reads, and it could never resume; and a replayed
 * message is one history already holds, so queueing it costs a reference, not its payload. Netty's outbound
 * buffer is bounded by its high water mark: the drain stops there (a resumed backlog is written as fast as the
 * client reads it) and inbound reading pauses while the channel is not writable, so answers to a client's own
 * commands cannot pile up either. A client cut off reconnects and resumes from history with its last ids. Every
 * idle connection holds one of these, so its counters and flags are plain fields updated through
 * {@link VarHandle}s rather than {@code Atomic*} objects of their own.
 */
final class WebSocketSubscriber implements LiveConnections.Live {

    private static final Logger log = LoggerFactory.getLogger(WebSocketSubscriber.class);
    /** Bytes counted per frame on top of its payload: the JSON around the data, and the queue entry. */
    private static final long FRAME_OVERHEAD = 128;

    /**
     * A message's whole server frame (RFC 6455 §5.2: unmasked, so the same bytes for every subscriber), encoded
     * once per message into direct memory and shared by every connection without an extension: a delivery is a
     * duplicate of this buffer and its share of a {@code write(2)}, where a {@link TextWebSocketFrame} costs a
     * frame object, a header buffer and a copy of the payload per subscriber in the frame encoder. The frame
     * encoder passes plain buffers through untouched.
     */
    private static final Message.Encoding<ByteBuf> WIRE_FRAME = Message.Encoding.create(m -> {
        WebSocketCodec.Encoded encoded = m.encoded(WebSocketCodec.MESSAGE);
        byte[] payload = encoded.bytes();
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
        frame.put((byte) (0x80 | (encoded.binary() ? 0x2 : 0x1)));   // FIN, binary or text
        if (length < 126) {
            frame.put((byte) length);
        } else if (length <= 0xFFFF) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        frame.put(payload).flip();
        // Never released: writers' retainedDuplicate()s count around it, and the GC frees it with the message.
        return Unpooled.wrappedBuffer(frame);
    });

    /**
     * Deliveries queued for subscriptions not yet acknowledged (replays), per connection: ten full replay pages,
     * about 2 MiB of queue entries at most. Beyond it the connection is closed as a slow consumer.
     */
    static final int MAX_REPLAY_DELIVERIES = 10 * 1000;

    private static final VarHandle QUEUED_BYTES;
    private static final VarHandle QUEUED_REPLAY;
    private static final VarHandle DRAIN_SCHEDULED;
    private static final VarHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUED_BYTES = lookup.findVarHandle(WebSocketSubscriber.class, "queuedBytes", long.class);
            QUEUED_REPLAY = lookup.findVarHandle(WebSocketSubscriber.class, "queuedReplay", int.class);
            DRAIN_SCHEDULED = lookup.findVarHandle(WebSocketSubscriber.class, "drainScheduled", boolean.class);
            CLOSED = lookup.findVarHandle(WebSocketSubscriber.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Channel channel;
    private final LiveConnections live;
    private final long maxQueuedBytes;
    private final long pingIntervalNanos;
    private final long pingTimeoutNanos;
    private final DeliveryQueue<Sink> queue = new DeliveryQueue<>();
    private final Runnable drainTask = this::drain;
    @SuppressWarnings("unused")   // through QUEUED_BYTES
    private volatile long queuedBytes;
    @SuppressWarnings("unused")   // through QUEUED_REPLAY
    private volatile int queuedReplay;
    /** Deliveries of acknowledged subscriptions taken from the queue but not written yet; event loop only. */
    private @Nullable ArrayDeque<DeliveryQueue.Delivery<Sink>> ready;
    private volatile boolean drainScheduled;
    private volatile boolean closed;
    /** Most connections hold one subscription: a table of two slots, not the default sixteen. Event loop only. */
    private final Map<ChannelId, Sink> sinks = new HashMap<>(2);
    private volatile long lastReadNanos;
    /**
     * Where frames encoded by {@link #WIRE_FRAME} are written: the frame encoder's context, so that they start
     * below the encoder (which has nothing to do for them) instead of walking the whole pipeline; null when an
     * extension must transform them. Decided once, on the event loop, after the handshake.
     */
    private @Nullable ChannelHandlerContext framesOut;
    private boolean framesOutDecided;
    private volatile long closingSinceNanos;
    // Written only by tick(), which runs on the one housekeeping thread.
    private long lastPingNanos;
    private long pingSentNanos;

    WebSocketSubscriber(Channel channel, LiveConnections live, long maxQueuedBytes, long pingIntervalNanos,
                        long pingTimeoutNanos) {
        this.channel = channel;
        this.live = live;
        this.maxQueuedBytes = maxQueuedBytes;
        this.pingIntervalNanos = pingIntervalNanos;
        this.pingTimeoutNanos = pingTimeoutNanos;
        long now = System.nanoTime();
        this.lastReadNanos = now;
        this.lastPingNanos = now;
    }

    // --- subscriptions (event loop) ----------------------------------------------------------------------------------

    int subscriptionCount() {
        return sinks.size();
    }

    @Nullable Sink sink(ChannelId channel) {
        return sinks.get(channel);
    }

    /** Registers a subscription in flight; its deliveries are held until {@link #subscribed}. */
    Sink newSink(ChannelId id, @Nullable Object ref) {
        Sink sink = new Sink(id, ref);
        sinks.put(id, sink);
        return sink;
    }

    /**
     * The subscribe of {@code sink} finished: on success writes the ack, then what was held for it, and goes live;
     * on failure answers with {@code problem}. A sink cancelled meanwhile closes its subscription quietly.
     */
    void subscribed(Sink sink, @Nullable Subscription subscription, @Nullable WebSocketProblem problem) {
        if (sink.cancelled || closed) {
            if (subscription != null) {
                subscription.close();
            }
            return;
        }
        if (subscription == null) {
            sinks.remove(sink.channel, sink);
            cancel(sink);
            send(WebSocketCodec.error(problem != null ? problem : new WebSocketProblem("internal_error",
                    "the subscription failed", sink.ref, sink.channel)));
            return;
        }
        sink.subscription = subscription;
        sink.live = true;
        channel.writeAndFlush(text(WebSocketCodec.subscribed(sink.ref, sink.channel, subscription.start())),
                channel.voidPromise());
        sink.acked = true;
        List<DeliveryQueue.Delivery<Sink>> held = sink.held;
        sink.held = null;
        if (held != null) {
            // Ahead of anything still queued for this sink; written as fast as the client reads.
            if (ready == null) {
                ready = new ArrayDeque<>(held.size());
            }
            ready.addAll(held);
            scheduleDrain();
        }
    }

    /**
     * Ends the subscription to {@code id}; returns false when there was none. Nothing more of the channel is
     * written. A subscribe still in flight is answered first, with error {@code cancelled}.
     */
    boolean unsubscribe(ChannelId id) {
        Sink sink = sinks.remove(id);
        if (sink == null) {
            return false;
        }
        cancel(sink);
        if (sink.subscription != null) {
            sink.subscription.close();
        } else {
            send(WebSocketCodec.error(new WebSocketProblem("cancelled", "unsubscribed before the subscribe "
                    + "completed", sink.ref, sink.channel)));
        }
        return true;
    }

    private void closeSubscriptions() {
        for (Sink sink : sinks.values()) {
            cancel(sink);
            if (sink.subscription != null) {
                sink.subscription.close();   // leaves the channel's presence, if it joined
            }
        }
        sinks.clear();
    }

    /** Nothing more of {@code sink} is written; what it held is dropped. */
    private void cancel(Sink sink) {
        sink.cancelled = true;
        List<DeliveryQueue.Delivery<Sink>> held = sink.held;
        sink.held = null;
        if (held != null) {
            held.forEach(delivery -> done(delivery.size));
        }
    }

    // --- deliveries --------------------------------------------------------------------------------------------------

    private boolean enqueue(Sink sink, Object item, long size) {
        if (closed) {
            return false;
        }
        if (!sink.live) {
            if ((int) QUEUED_REPLAY.getAndAdd(this, 1) + 1 > MAX_REPLAY_DELIVERIES) {
                return false;
            }
            size = -1;
        } else if ((long) QUEUED_BYTES.getAndAdd(this, size) + size > maxQueuedBytes) {
            return false;
        }
        queue.offer(sink, item, size);
        scheduleDrain();
        return true;
    }

    private void scheduleDrain() {
        if (DRAIN_SCHEDULED.compareAndSet(this, false, true)) {
            channel.eventLoop().execute(drainTask);
        }
    }

    private void drain() {
        drainScheduled = false;
        if (closed) {
            return;
        }
        ChannelHandlerContext out = framesOut();
        boolean wrote = false;
        while (channel.isWritable()) {
            DeliveryQueue.Delivery<Sink> delivery = ready == null ? null : ready.pollFirst();
            if (delivery == null && (delivery = queue.poll()) == null) {
                break;
            }
            Sink sink = delivery.sink;
            Object item = delivery.item;
            delivery.clear();   // a node from the queue stays there as its stub
            assert sink != null && item != null;
            if (!sink.acked && !sink.cancelled) {
                // Still counted while held, so the replay bound covers what waits for the ack too.
                if (sink.held == null) {
                    sink.held = new ArrayList<>();
                }
                sink.held.add(new DeliveryQueue.Delivery<>(sink, item, delivery.size));
                continue;
            }
            if (!sink.cancelled) {
                write(out, item);
                wrote = true;
            }
            done(delivery.size);
        }
        if (wrote) {
            if (out != null) {
                out.flush();
            } else {
                channel.flush();
            }
        }
    }

    /** A delivery of {@code size} was written or dropped: it no longer counts against the bounds. */
    private void done(long size) {
        if (size < 0) {
            QUEUED_REPLAY.getAndAdd(this, -1);
        } else {
            QUEUED_BYTES.getAndAdd(this, -size);
        }
    }

    /** The channel became writable again (or not); called on the event loop. */
    void writabilityChanged() {
        if (channel.isWritable() && (!queue.isEmpty() || (ready != null && !ready.isEmpty()))) {
            scheduleDrain();
        }
    }

    private void write(@Nullable ChannelHandlerContext framesOut, Object item) {
        if (item instanceof Message message && framesOut != null) {
            framesOut.write(message.encoded(WIRE_FRAME).retainedDuplicate(), framesOut.voidPromise());
        } else if (item instanceof Message message) {
            WebSocketCodec.Encoded encoded = message.encoded(WebSocketCodec.MESSAGE);
            // The bytes are shared by every subscriber of the message; each frame only wraps them.
            channel.write(encoded.binary() ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(encoded.bytes()))
                    : new TextWebSocketFrame(Unpooled.wrappedBuffer(encoded.bytes())), channel.voidPromise());
        } else if (item instanceof Reset reset) {
            channel.write(text(WebSocketCodec.reset(reset)), channel.voidPromise());
        } else {
            channel.write(text((byte[]) item), channel.voidPromise());
        }
    }

    /** See {@link #framesOut}: the frame encoder's context when no extension (permessage-deflate) is installed. */
    private @Nullable ChannelHandlerContext framesOut() {
        if (!framesOutDecided) {
            ChannelPipeline pipeline = channel.pipeline();
            framesOut = pipeline.get(WebSocketExtensionEncoder.class) == null
                    ? pipeline.context(WebSocketFrameEncoder.class) : null;
            framesOutDecided = true;
        }
        return framesOut;
    }

    /** Writes and flushes one frame of the connection's own (ack, error, pong); called on the event loop. */
    void send(byte[] json) {
        if (!closed && channel.isActive()) {
            channel.writeAndFlush(text(json), channel.voidPromise());
        }
    }

    private static TextWebSocketFrame text(byte[] json) {
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(json));
    }

    // --- liveness and close ------------------------------------------------------------------------------------------

    /** A frame arrived from the client: it is alive. Called on the event loop. */
    void read() {
        lastReadNanos = System.nanoTime();
    }

    /**
     * Pings every interval; closes with {@link CloseReason#HEARTBEAT_TIMEOUT} when nothing at all arrived within
     * the timeout after a ping; closes the socket of a connection whose close frame did not get out within the
     * timeout. Runs on the housekeeping thread; one pass costs a few comparisons for an idle connection.
     */
    @Override
    public void tick(long nowNanos) {
        long closing = closingSinceNanos;
        if (closing != 0) {
            if (nowNanos - closing >= pingTimeoutNanos) {
                channel.close();
            }
            return;
        }
        if (closed) {
            return;
        }
        if (pingSentNanos != 0) {
            if (lastReadNanos - pingSentNanos >= 0) {
                pingSentNanos = 0;
            } else if (nowNanos - pingSentNanos >= pingTimeoutNanos) {
                close(CloseReason.HEARTBEAT_TIMEOUT, "no answer to a ping within "
                        + pingTimeoutNanos / 1_000_000 + " ms");
                return;
            }
        }
        if (pingSentNanos == 0 && nowNanos - lastPingNanos >= LiveConnections.spread(this, pingIntervalNanos)) {
            lastPingNanos = nowNanos;
            pingSentNanos = nowNanos;
            channel.eventLoop().execute(() -> {
                if (!closed && channel.isActive()) {
                    channel.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER), channel.voidPromise());
                }
            });
        }
    }

    @Override
    public void shutdown() {
        close(CloseReason.SHUTDOWN, "server restarting; reconnect and resume");
    }

    /** Ends the connection with a close frame of {@code reason}'s code. Idempotent; any thread. */
    void close(CloseReason reason, String text) {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        channel.eventLoop().execute(() -> {
            queue.clear();
            ready = null;
            closeSubscriptions();
            if (!channel.isActive()) {
                return;
            }
            if (reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.HEARTBEAT_TIMEOUT) {
                log.info("closing WebSocket from {}: {} ({})", channel.remoteAddress(), reason.wireName(), text);
            }
            closingSinceNanos = System.nanoTime();
            CloseWebSocketFrame frame = new CloseWebSocketFrame(reason.code(), text);
            if (reason == CloseReason.HEARTBEAT_TIMEOUT) {
                // The peer is gone or stuck: try to say why, but do not wait for it to read.
                channel.writeAndFlush(frame, channel.voidPromise());
                channel.close();
            } else {
                channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    /** The client sent a close frame: answer it (RFC 6455 §5.5.1) and close. Called on the event loop. */
    void closedByClient(CloseWebSocketFrame frame) {
        if (!CLOSED.compareAndSet(this, false, true)) {
            frame.release();
            channel.close();
            return;
        }
        queue.clear();
        ready = null;
        closeSubscriptions();
        closingSinceNanos = System.nanoTime();
        channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    /** The connection is gone, however it ended; called on the event loop once. */
    void disconnected() {
        closed = true;
        queue.clear();
        ready = null;
        closeSubscriptions();
        live.remove(this);
    }

    /** Registers with the server's live connections (heartbeats, shutdown); called once the handshake is done. */
    void start() {
        live.add(this);
        if (!channel.isActive()) {
            live.remove(this);
        }
    }

    /** A subscription of this connection: the core's {@link Subscriber}, feeding the connection's queue. */
    final class Sink implements Subscriber {
        private final ChannelId channel;
        private final @Nullable Object ref;
        /** Acknowledged: deliveries from now on are live and counted in bytes. Set on the event loop. */
        private volatile boolean live;
        // Event loop only.
        private @Nullable Subscription subscription;
        private boolean acked;
        private boolean cancelled;
        private @Nullable List<DeliveryQueue.Delivery<Sink>> held;

        private Sink(ChannelId channel, @Nullable Object ref) {
            this.channel = channel;
            this.ref = ref;
        }

        ChannelId channel() {
            return channel;
        }

        @Override
        public boolean offer(Message message) {
            return enqueue(this, message, message.payload().size() + FRAME_OVERHEAD);
        }

        @Override
        public boolean offerReset(Reset reset) {
            return enqueue(this, reset, FRAME_OVERHEAD);
        }

        @Override
        public boolean offerPresence(PresenceEvent event) {
            byte[] encoded = PresenceFrames.encoded(event);
            return enqueue(this, encoded, encoded.length + FRAME_OVERHEAD);
        }

        /** The hub ends the whole connection (slow consumer, broker unavailable): one subscription cannot lag. */
        @Override
        public void close(CloseReason reason) {
            WebSocketSubscriber.this.close(reason, switch (reason) {
                case SLOW_CONSUMER -> "slow consumer: outbound queue full (" + maxQueuedBytes + " bytes)";
                case BROKER_UNAVAILABLE -> "broker unavailable; reconnect and resume";
                case INTERNAL_ERROR -> "internal error; reconnect and resume";
                default -> reason.wireName();
            });
        }
    }

    /**
     * Presence frames, encoded once per event: the hub hands one event to every presence subscriber of the channel
     * in a row, on one thread, so remembering the last one encodes a join for a room of n members once, not n times.
     */
    private static final class PresenceFrames {
        private record Last(PresenceEvent event, byte[] bytes) {
        }

        private static volatile @Nullable Last last;

        static byte[] encoded(PresenceEvent event) {
            Last cached = last;
            if (cached != null && cached.event == event) {
                return cached.bytes;
            }
            byte[] bytes = WebSocketCodec.presence(event);
            last = new Last(event, bytes);
            return bytes;
        }
    }
}
