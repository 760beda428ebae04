package dev.herald.server.sse;

import dev.herald.core.ChannelId;
import dev.herald.core.CloseReason;
import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.internal.Json;
import dev.herald.server.internal.LiveConnections;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE stream, subscribed to one or more channels.
 *
 * <p>Concurrency: the hub calls {@link #offer}/{@link #offerReset} from publisher threads; they only append to a
 * lock-free queue and schedule one drain task on the connection's event loop. Everything else — the cursor, the
 * writes — is confined to that event loop. A drain writes every queued event as one chunk and flushes once, so a
 * subscriber with several messages pending gets them in one socket write.
 *
 * <p>Memory: queued bytes are counted; beyond {@code maxQueuedBytes} an offer is refused and the hub closes the
 * stream as a slow consumer. Netty's outbound buffer has the same bound as its high water mark: a drain that
 * leaves the channel unwritable closes it too. The client reconnects with {@code Last-Event-ID} and resumes from
 * history, so being cut off loses nothing that history still holds.
 */
final class SseSubscriber implements Subscriber, LiveConnections.Live {

    private static final Logger log = LoggerFactory.getLogger(SseSubscriber.class);
    private static final long EVENT_OVERHEAD = 64;

    private final Channel channel;
    private final LiveConnections live;
    private final ChannelId[] channels;
    private final StreamPosition[] positions;
    private final long maxQueuedBytes;
    private final long keepAliveNanos;
    private final Queue<Object> queue = PlatformDependent.newMpscQueue();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private volatile boolean started;
    private volatile long lastWriteNanos = System.nanoTime();

    SseSubscriber(Channel channel, LiveConnections live, List<ChannelId> channels, long maxQueuedBytes,
                  long keepAliveNanos) {
        this.channel = channel;
        this.live = live;
        this.channels = channels.toArray(ChannelId[]::new);
        this.positions = new StreamPosition[this.channels.length];
        this.maxQueuedBytes = maxQueuedBytes;
        this.keepAliveNanos = keepAliveNanos;
    }

    @Override
    public boolean offer(Message message) {
        return enqueue(message, message.payload().size() + EVENT_OVERHEAD);
    }

    @Override
    public boolean offerReset(Reset reset) {
        return enqueue(reset, 2 * EVENT_OVERHEAD);
    }

    private boolean enqueue(Object item, long size) {
        if (closed.get()) {
            return false;
        }
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            return false;
        }
        queue.offer(item);
        scheduleDrain();
        return true;
    }

    private void scheduleDrain() {
        if (started && drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    /** Records a subscription so closing the stream closes it; called on the event loop before {@link #start}. */
    void add(Subscription subscription) {
        if (closed.get()) {
            subscription.close();
        } else {
            subscriptions.add(subscription);
        }
    }

    /**
     * Writes the preamble with the stream's starting cursor and starts draining. {@code initial} holds, per
     * channel, where the stream starts. Called once, on the event loop, after every subscription is in place.
     */
    void start(StreamPosition[] initial, long retryMillis) {
        System.arraycopy(initial, 0, positions, 0, positions.length);
        channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(SseFormat.preamble(retryMillis, cursor()))));
        started = true;
        live.add(this);
        if (closed.get()) {
            live.remove(this);   // closed while starting: close() may already have run its remove
        }
        drain();
    }

    private void drain() {
        drainScheduled.set(false);
        if (closed.get()) {
            return;
        }
        List<ByteBuf> parts = null;
        Object item;
        while ((item = queue.poll()) != null) {
            if (parts == null) {
                parts = new ArrayList<>();
            }
            if (item instanceof Message message) {
                queuedBytes.addAndGet(-(message.payload().size() + EVENT_OVERHEAD));
                encode(message, parts);
            } else {
                Reset reset = (Reset) item;
                queuedBytes.addAndGet(-2 * EVENT_OVERHEAD);
                positions[index(reset.channel())] = reset.position();
                parts.add(Unpooled.wrappedBuffer(SseFormat.bytes(cursor(), "reset",
                        new String(Json.reset(reset), java.nio.charset.StandardCharsets.UTF_8))));
            }
        }
        if (parts != null) {
            channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(parts.toArray(ByteBuf[]::new))));
        }
        channel.flush();
        lastWriteNanos = System.nanoTime();
        if (!channel.isWritable()) {
            log.info("closing SSE stream from {} on {}: slow consumer, more than {} bytes unsent",
                    channel.remoteAddress(), List.of(channels), channel.config().getWriteBufferHighWaterMark());
            close(CloseReason.SLOW_CONSUMER);
        }
    }

    private void encode(Message message, List<ByteBuf> parts) {
        if (message.ephemeral()) {
            parts.add(Unpooled.wrappedBuffer(message.encoded(SseFormat.BODY)));
            return;
        }
        positions[index(message.channel())] = message.position();
        if (channels.length == 1) {
            parts.add(Unpooled.wrappedBuffer(message.encoded(SseFormat.WITH_ID)));
        } else {
            parts.add(Unpooled.wrappedBuffer(SseFormat.idLine(cursor())));
            parts.add(Unpooled.wrappedBuffer(message.encoded(SseFormat.BODY)));
        }
    }

    private int index(ChannelId id) {
        for (int i = 0; i < channels.length; i++) {
            if (channels[i].equals(id)) {
                return i;
            }
        }
        throw new IllegalStateException("delivery for " + id + ", which this stream did not subscribe to");
    }

    private String cursor() {
        return new Cursor(List.of(positions)).toString();
    }

    @Override
    public void tick(long nowNanos) {
        if (started && !closed.get() && nowNanos - lastWriteNanos >= keepAliveNanos) {
            lastWriteNanos = nowNanos;
            channel.eventLoop().execute(() -> {
                if (!closed.get()) {
                    channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(SseFormat.keepAlive())));
                }
            });
        }
    }

    @Override
    public void shutdown() {
        close(CloseReason.SHUTDOWN);
    }

    @Override
    public void close(CloseReason reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        live.remove(this);
        channel.eventLoop().execute(() -> {
            subscriptions.forEach(Subscription::close);
            queue.clear();
            if (reason == CloseReason.SHUTDOWN && channel.isActive()) {
                // End the chunked body cleanly: EventSource treats a finished stream as a reason to reconnect.
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.close();
            }
        });
    }
}
