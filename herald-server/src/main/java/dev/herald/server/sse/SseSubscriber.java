package dev.herald.server.sse;

import dev.herald.core.ChannelId;
import dev.herald.core.CloseReason;
import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.http.HttpCodec;
import dev.herald.server.internal.Json;
import dev.herald.server.internal.LiveConnections;
import dev.herald.server.internal.SharedBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE stream, subscribed to one or more channels.
 *
 * <p>Concurrency: the hub calls {@link #offer}/{@link #offerReset} from publisher threads; they only append to a
 * queue under this object's monitor (held for a few instructions) and schedule one drain task on the connection's
 * event loop. Everything else — the cursor, the writes — is confined to that event loop. A drain writes every
 * queued event and flushes once, so a subscriber with several messages pending gets them in one socket write.
 *
 * <p>Wire: once the response head is written, the stream's bytes are HTTP/1.1 chunks that this class frames
 * itself, and the HTTP codec and aggregator leave the pipeline; nothing the client sends is read as HTTP any more,
 * and any byte it sends closes the stream, as a request pipelined behind a stream would. On a single-channel
 * stream (the common case) each message's whole chunk — size line, {@code id:}/{@code event:}/{@code data:}
 * lines, CRLF — is encoded once per message into direct memory and shared by every subscriber: a delivery costs a
 * duplicate of that buffer and its share of one {@code write(2)}, with no per-subscriber encoding or copy.
 * (Measured with herald-bench: 10,000 streams cost 12 KB of heap each with the codec, a 1,024-slot queue and
 * per-subscriber chunk encoding, and the shared chunks cut the server's own CPU per delivery; see
 * docs/benchmarks.md.)
 *
 * <p>Flow control: a drain writes only while the channel is writable, so Netty's outbound buffer stays near its high
 * water mark ({@code maxOutboundBytes}); the rest waits in the queue and the drain resumes when the socket has
 * taken enough ({@link #channelWritabilityChanged}).
 *
 * <p>Memory: the queue is allocated on first use. Live deliveries are counted in bytes; beyond
 * {@code maxQueuedBytes} an offer is refused and the hub closes the stream as a slow consumer. The client
 * reconnects with {@code Last-Event-ID} and resumes from history, so being cut off loses nothing that history
 * still holds. Deliveries that arrive before the stream starts are its replay and are not counted: the hub hands a
 * whole replay over at once, so a byte bound would cut off every client whose backlog exceeds it — however fast it
 * reads — and it could never resume. They are bounded all the same, by the history's per-channel bounds (they
 * are the history's own messages, shared, not copies) plus the hub's replay buffer limit for live messages.
 */
final class SseSubscriber extends ChannelInboundHandlerAdapter implements Subscriber, LiveConnections.Live {

    private static final Logger log = LoggerFactory.getLogger(SseSubscriber.class);
    private static final long EVENT_OVERHEAD = 64;

    /** A single-channel stream's event for a message as one whole HTTP chunk, shared by every subscriber. */
    private static final Message.Encoding<ByteBuf> CHUNK_WITH_ID = Message.Encoding.create(
            m -> SharedBytes.direct(chunk(m.encoded(SseFormat.WITH_ID))));
    private static final ByteBuf KEEP_ALIVE = SharedBytes.direct(chunk(SseFormat.keepAlive()));
    /** The zero-length chunk that ends a chunked body. */
    private static final ByteBuf LAST_CHUNK = SharedBytes.direct("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    private final Channel channel;
    private final LiveConnections live;
    private final ChannelId[] channels;
    private final StreamPosition[] positions;
    private final long maxQueuedBytes;
    private final long keepAliveNanos;
    private final Runnable drainTask = this::drain;
    private final List<Subscription> subscriptions = new ArrayList<>(1);
    // Guarded by this monitor.
    private @Nullable ArrayDeque<Object> queue;
    private long queuedBytes;
    private int uncounted;   // items at the head of the queue that arrived before the start: the replay
    private boolean drainScheduled;
    private volatile boolean closed;
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
        if (closed) {
            return false;
        }
        boolean schedule;
        synchronized (this) {
            if (!started) {
                uncounted++;
            } else if (queuedBytes + size > maxQueuedBytes) {
                return false;
            } else {
                queuedBytes += size;
            }
            if (queue == null) {
                queue = new ArrayDeque<>(8);
            }
            queue.addLast(item);
            schedule = started && !drainScheduled;
            drainScheduled |= schedule;
        }
        if (schedule) {
            channel.eventLoop().execute(drainTask);
        }
        return true;
    }

    /** Records a subscription so closing the stream closes it; called on the event loop before {@link #start}. */
    void add(Subscription subscription) {
        if (closed) {
            subscription.close();
        } else {
            subscriptions.add(subscription);
        }
    }

    /**
     * Takes the connection over from the HTTP codec (the response head has been written), writes the preamble
     * with the stream's starting cursor and starts draining. {@code initial} holds, per channel, where the stream
     * starts. Called once, on the event loop, after every subscription is in place.
     */
    void start(StreamPosition[] initial, long retryMillis) {
        System.arraycopy(initial, 0, positions, 0, positions.length);
        ChannelPipeline pipeline = channel.pipeline();
        for (String name : new String[] {"aggregator", HttpCodec.DECODER, HttpCodec.ENCODER}) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        pipeline.addFirst("sse", this);
        channel.write(Unpooled.wrappedBuffer(chunk(SseFormat.preamble(retryMillis, cursor()))),
                channel.voidPromise());
        live.add(this);
        synchronized (this) {
            started = true;
            drainScheduled = true;
        }
        if (closed) {
            live.remove(this);   // closed while starting: close() may already have run its remove
        }
        drain();
    }

    private void drain() {
        synchronized (this) {
            drainScheduled = false;
        }
        Object item;
        while (!closed && channel.isWritable() && (item = poll()) != null) {
            if (item instanceof Message message) {
                write(message);
            } else {
                Reset reset = (Reset) item;
                positions[index(reset.channel())] = reset.position();
                writeChunk(SseFormat.bytes(cursor(), "reset", new String(Json.reset(reset), StandardCharsets.UTF_8)));
            }
        }
        if (closed) {
            return;
        }
        channel.flush();
        lastWriteNanos = System.nanoTime();
    }

    private synchronized @Nullable Object poll() {
        Object item = queue == null ? null : queue.pollFirst();
        if (item != null) {
            if (uncounted > 0) {
                uncounted--;
            } else {
                queuedBytes -= item instanceof Message m ? m.payload().size() + EVENT_OVERHEAD : 2 * EVENT_OVERHEAD;
            }
        }
        return item;
    }

    /** The socket took enough of what was written: carry on with what waits in the queue. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable() && !closed) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** After the stream starts, the client has nothing more to say: any byte from it closes the stream. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    private void write(Message message) {
        if (message.ephemeral()) {
            writeChunk(message.encoded(SseFormat.BODY));
            return;
        }
        positions[index(message.channel())] = message.position();
        if (channels.length == 1) {
            channel.write(message.encoded(CHUNK_WITH_ID).retainedDuplicate(), channel.voidPromise());
            return;
        }
        byte[] id = SseFormat.idLine(cursor());
        byte[] body = message.encoded(SseFormat.BODY);
        byte[] event = new byte[id.length + body.length];
        System.arraycopy(id, 0, event, 0, id.length);
        System.arraycopy(body, 0, event, id.length, body.length);
        writeChunk(event);
    }

    private void writeChunk(byte[] data) {
        channel.write(Unpooled.wrappedBuffer(chunk(data)), channel.voidPromise());
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
        if (started && !closed && nowNanos - lastWriteNanos >= LiveConnections.spread(this, keepAliveNanos)) {
            lastWriteNanos = nowNanos;
            channel.eventLoop().execute(() -> {
                if (!closed) {
                    channel.writeAndFlush(KEEP_ALIVE.retainedDuplicate(), channel.voidPromise());
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
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue = null;
            queuedBytes = 0;
        }
        live.remove(this);
        if (reason == CloseReason.SLOW_CONSUMER) {
            log.info("closing SSE stream from {} on {}: slow consumer, more than {} bytes queued",
                    channel.remoteAddress(), List.of(channels), maxQueuedBytes);
        }
        channel.eventLoop().execute(() -> {
            subscriptions.forEach(Subscription::close);
            if (reason == CloseReason.SHUTDOWN && channel.isActive() && started) {
                // End the chunked body cleanly: EventSource treats a finished stream as a reason to reconnect.
                channel.writeAndFlush(LAST_CHUNK.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.close();
            }
        });
    }

    /** {@code data} as one HTTP/1.1 chunk (RFC 9112 §7.1): size in hex, CRLF, the bytes, CRLF. */
    static byte[] chunk(byte[] data) {
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size.length + data.length + 2];
        System.arraycopy(size, 0, out, 0, size.length);
        System.arraycopy(data, 0, out, size.length, data.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }
}
