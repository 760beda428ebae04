package dev.herald.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * A group of subscribers in this process, all on Netty event loops: one connection per subscriber. Counts bytes
 * at the socket (a handler first in every pipeline, before any codec), checks each stream with a
 * {@link StreamChecker}, and records publish-to-delivery latency.
 *
 * <p>Concurrency: each subscriber's state is confined to its connection's event loop; the counters are adders.
 * Polling subscribers whose connection closes reconnect and continue from their cursor (counted as reconnects);
 * a closed stream (SSE, WebSocket) is counted as a disconnect and stays closed, so what it missed shows as loss.
 */
public final class LocalGroup implements Group {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_EXAMPLES = 5;

    private final RunSpec spec;
    private final int first;
    private final int count;
    private final EventLoopGroup loops;
    private final Bootstrap bootstrap;
    private final Sub[] subs;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(120), 3);
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong lastEstablished = new AtomicLong();
    private final CompletableFuture<Void> allAttempted = new CompletableFuture<>();
    private final ByteCounter counter = new ByteCounter();
    private volatile boolean stopping;
    private long connectStart;

    /** Subscribers {@code first .. first+count-1} of the run. */
    public LocalGroup(RunSpec spec, int first, int count) {
        this.spec = spec;
        this.first = first;
        this.count = count;
        this.subs = new Sub[count];
        DefaultThreadFactory threads = new DefaultThreadFactory("bench-io", true);
        boolean epoll = Epoll.isAvailable();
        this.loops = epoll ? new EpollEventLoopGroup(spec.clientThreads(), threads)
                : new NioEventLoopGroup(spec.clientThreads(), threads);
        this.bootstrap = new Bootstrap()
                .group(loops)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000)
                .remoteAddress(spec.host(), spec.port());
    }

    /** Opens every connection, {@code connectConcurrency} at a time; completes when each has succeeded or failed. */
    @Override
    public CompletableFuture<Void> connect() {
        connectStart = System.nanoTime();
        if (count == 0) {
            allAttempted.complete(null);
            return allAttempted;
        }
        for (int i = 0; i < count; i++) {
            subs[i] = newSub(first + i);
        }
        int initial = Math.min(count, Math.max(1, spec.connectConcurrency()));
        for (int i = 0; i < initial; i++) {
            startNext();
        }
        return allAttempted;
    }

    private Sub newSub(int index) {
        String channel = spec.channel(index);
        return switch (spec.transport()) {
            case SSE -> new SseSub(index, channel);
            case LONGPOLL -> new PollSub(index, channel, true);
            case SHORTPOLL -> new PollSub(index, channel, false);
            case WS -> new WsSub(index, channel);
        };
    }

    private void startNext() {
        int i = next.getAndIncrement();
        if (i < count) {
            subs[i].open(false);
        }
    }

    /** Deliveries so far (distinct or not). */
    @Override
    public long delivered() {
        return delivered.sum();
    }

    @Override
    public int connectedCount() {
        return connected.get();
    }

    /** Connection attempts that failed. */
    public int failedCount() {
        return failed.get();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    /** Stops every subscriber and summarises; {@code published[c]} is how many messages channel c got. */
    @Override
    public GroupResult finish(long[] published) {
        stopping = true;
        List<ChannelFuture> closing = new ArrayList<>();
        for (Sub sub : subs) {
            if (sub != null && sub.channel != null) {
                closing.add(sub.channel.close());
            }
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        // Checkers are confined to event loops; hop onto each loop once to read them safely after the closes.
        long[] totals = new long[6];
        int withProblems = 0;
        List<String> examples = new ArrayList<>();
        for (Sub sub : subs) {
            if (sub == null) {
                continue;
            }
            StreamChecker c = sub.checker;
            long p = published[sub.index % spec.channels()];
            long missing = c.missing(p);
            long unexpected = c.unexpected(p);
            totals[0] += c.duplicates();
            totals[1] += c.outOfOrder();
            totals[2] += missing;
            totals[3] += unexpected;
            totals[4] += c.resets();
            if (c.duplicates() + c.outOfOrder() + missing + unexpected + c.resets() > 0) {
                withProblems++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add("subscriber " + sub.index + " on " + sub.channelName + ": received " + c.received()
                            + " of " + p + ", missing " + missing + ", duplicates " + c.duplicates()
                            + ", out of order " + c.outOfOrder() + ", resets " + c.resets()
                            + (sub.closedEarly ? ", connection closed early" : ""));
                }
            }
        }
        Histogram histogram = latency.getIntervalHistogram();
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        String encoded = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
        long connectNanos = lastEstablished.get() == 0 ? 0 : lastEstablished.get() - connectStart;
        return new GroupResult(count, connected.get(), failed.get(), connectNanos, delivered.sum(), bytesIn.sum(),
                bytesOut.sum(), requests.sum(), reconnects.sum(), disconnects.sum(), totals[0], totals[1], totals[2],
                totals[3], totals[4], withProblems, examples, encoded);
    }

    @Override
    public void close() {
        stopping = true;
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private InetSocketAddress localAddress(int index) {
        int k = Math.max(1, spec.sourceAddresses());
        return new InetSocketAddress("127.0.0." + (1 + index % k), 0);
    }

    private void record(byte[] data, int from, int to, StreamChecker checker, long[] scratch) {
        long now = System.nanoTime();
        if (!Payloads.parse(data, from, to, scratch)) {
            return;
        }
        checker.accept(scratch[0]);
        delivered.increment();
        if (scratch[2] != 0) {
            return;   // a warm-up message: checked and counted, but the bench's own JIT was still at work
        }
        latency.recordValue(Math.max(0, Math.min((now - scratch[1]) / 1000, TimeUnit.SECONDS.toMicros(120))));
    }

    /** Counts bytes as they cross the socket; first in every pipeline. Shared. */
    @ChannelHandler.Sharable
    private final class ByteCounter extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                bytesIn.add(buf.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf) {
                bytesOut.add(buf.readableBytes());
            } else if (msg instanceof io.netty.buffer.ByteBufHolder holder) {
                bytesOut.add(holder.content().readableBytes());
            }
            ctx.write(msg, promise);
        }
    }

    /** One subscriber: one connection at a time. */
    private abstract class Sub {
        final int index;
        final String channelName;
        final StreamChecker checker = new StreamChecker();
        final long[] scratch = new long[3];
        @Nullable Channel channel;
        boolean established;
        boolean closedEarly;

        Sub(int index, String channelName) {
            this.index = index;
            this.channelName = channelName;
        }

        void open(boolean reconnect) {
            if (stopping) {
                return;
            }
            ChannelFuture future = bootstrap.clone()
                    .localAddress(localAddress(index))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("count", counter);
                            ch.pipeline().addLast("http", new HttpClientCodec(4096, 16384, 65536));
                            pipeline(ch.pipeline());
                        }
                    })
                    .connect();
            channel = future.channel();
            future.addListener(f -> {
                if (!f.isSuccess()) {
                    if (reconnect) {
                        // A polling subscriber lost its connection and cannot get a new one: try again shortly.
                        future.channel().eventLoop().schedule(() -> open(true), 100, TimeUnit.MILLISECONDS);
                    } else {
                        attemptFailed();
                    }
                    return;
                }
                future.channel().closeFuture().addListener(c -> closed());
                active(reconnect);
            });
        }

        abstract void pipeline(ChannelPipeline pipeline);

        /** Connected: send what the transport sends first. */
        abstract void active(boolean reconnect);

        void established() {
            if (!established) {
                established = true;
                connected.incrementAndGet();
                lastEstablished.accumulateAndGet(System.nanoTime(), Math::max);
                attemptDone();
            }
        }

        void attemptFailed() {
            if (!established) {
                established = true;   // no longer pending
                failed.incrementAndGet();
                attemptDone();
            }
        }

        private void attemptDone() {
            int done = connected.get() + failed.get();
            if (done >= count) {
                allAttempted.complete(null);
            } else {
                startNext();
            }
        }

        void closed() {
            if (!established) {
                attemptFailed();
                return;
            }
            if (stopping) {
                return;
            }
            if (this instanceof PollSub) {
                reconnects.increment();
                open(true);
            } else {
                closedEarly = true;
                disconnects.increment();
            }
        }

        FullHttpRequest get(String path) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                    io.netty.buffer.Unpooled.EMPTY_BUFFER, io.netty.handler.codec.http.DefaultHttpHeadersFactory
                    .headersFactory().newHeaders(), EmptyHttpHeaders.INSTANCE);
            request.headers().set(HttpHeaderNames.HOST, spec.host());
            return request;
        }
    }

    /** {@code text/event-stream}, Herald's or Nchan's. */
    private final class SseSub extends Sub implements SseParser.Listener {
        private final SseParser parser = new SseParser(this);

        SseSub(int index, String channel) {
            super(index, channel);
        }

        @Override
        void pipeline(ChannelPipeline pipeline) {
            pipeline.addLast("sub", new SimpleChannelInboundHandler<HttpObject>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof HttpResponse response) {
                        if (response.status().code() != 200) {
                            attemptFailed();
                            ctx.close();
                            return;
                        }
                        established();
                    }
                    if (msg instanceof HttpContent content) {
                        parser.feed(content.content());
                    }
                    if (msg instanceof LastHttpContent && !stopping) {
                        ctx.close();   // the server ended the stream
                    }
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
        }

        @Override
        void active(boolean reconnect) {
            FullHttpRequest request = get(spec.kind().ssePath(channelName));
            request.headers().set(HttpHeaderNames.ACCEPT, "text/event-stream");
            requests.increment();
            channel.writeAndFlush(request);
        }

        @Override
        public void onEvent(boolean reset, byte[] data, int length) {
            if (reset) {
                checker.reset();
                return;
            }
            record(data, 0, length, checker, scratch);
        }
    }

    /** Long or short polling. Herald: JSON pages with a cursor. Nchan: one message per answer, cursor in headers. */
    private final class PollSub extends Sub {
        private final boolean longPoll;
        private @Nullable String cursor;
        private @Nullable String lastModified;
        private @Nullable String etag;
        private boolean scheduled;

        PollSub(int index, String channel, boolean longPoll) {
            super(index, channel);
            this.longPoll = longPoll;
        }

        @Override
        void pipeline(ChannelPipeline pipeline) {
            pipeline.addLast("aggregate", new HttpObjectAggregator(16 << 20));
            pipeline.addLast("sub", new SimpleChannelInboundHandler<FullHttpResponse>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                    answered(ctx, response);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
        }

        @Override
        void active(boolean reconnect) {
            if (!longPoll && !reconnect) {
                // Spread short polls over the interval, as a population of independent clients would.
                scheduled = true;
                channel.eventLoop().schedule(this::send,
                        ThreadLocalRandom.current().nextInt(Math.max(1, spec.pollIntervalMillis())),
                        TimeUnit.MILLISECONDS);
                established();
                return;
            }
            send();
            if (longPoll) {
                established();
            }
        }

        private void send() {
            scheduled = false;
            Channel ch = channel;
            if (stopping || ch == null || !ch.isActive()) {
                return;
            }
            String path = longPoll ? spec.kind().longPollPath(channelName, cursor, spec.pollTimeoutSeconds())
                    : spec.kind().shortPollPath(channelName, cursor);
            FullHttpRequest request = get(path);
            if (lastModified != null) {
                request.headers().set(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified);
            }
            if (etag != null) {
                request.headers().set(HttpHeaderNames.IF_NONE_MATCH, etag);
            }
            requests.increment();
            ch.writeAndFlush(request);
        }

        private void answered(ChannelHandlerContext ctx, FullHttpResponse response) {
            int status = response.status().code();
            boolean again;
            if (spec.kind() == ServerKind.HERALD) {
                if (status != 200) {
                    ctx.close();
                    return;
                }
                again = herald(response.content());
            } else {
                again = nchan(response, status);
            }
            if (!HttpUtil.isKeepAlive(response)) {
                ctx.close();   // closed() reconnects and sends again
                return;
            }
            if (longPoll || again) {
                send();
            } else if (!scheduled) {
                scheduled = true;
                ctx.channel().eventLoop().schedule(this::send, spec.pollIntervalMillis(), TimeUnit.MILLISECONDS);
            }
        }

        /** Returns whether to ask again at once (a page cut short by its limit). */
        private boolean herald(ByteBuf body) {
            boolean more = false;
            try (JsonParser p = JSON.createParser((java.io.InputStream) new ByteBufInputStream(body))) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return false;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "messages" -> messages(p);
                        case "resets" -> {
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                checker.reset();
                                p.skipChildren();
                            }
                        }
                        case "cursor" -> cursor = p.getText();
                        case "more" -> more = value == JsonToken.VALUE_TRUE;
                        default -> p.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("unreadable poll answer", e);
            }
            return more;
        }

        private void messages(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("data")) {
                        char[] text = p.getTextCharacters();
                        int offset = p.getTextOffset();
                        int length = Math.min(p.getTextLength(), 48);
                        byte[] bytes = new byte[length];
                        for (int i = 0; i < length; i++) {
                            bytes[i] = (byte) text[offset + i];
                        }
                        record(bytes, 0, length, checker, scratch);
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }

        /** Nchan: 200 carries one message; 304 (nothing new) and 408 (long-poll timeout) carry none. */
        private boolean nchan(FullHttpResponse response, int status) {
            if (status == 200) {
                String modified = response.headers().get(HttpHeaderNames.LAST_MODIFIED);
                String tag = response.headers().get(HttpHeaderNames.ETAG);
                if (modified != null) {
                    lastModified = modified;
                }
                if (tag != null) {
                    etag = tag;
                }
                ByteBuf body = response.content();
                byte[] bytes = new byte[Math.min(body.readableBytes(), 48)];
                body.getBytes(body.readerIndex(), bytes);
                record(bytes, 0, bytes.length, checker, scratch);
                return true;
            }
            return false;
        }
    }

    /**
     * WebSocket. Nchan sends each message as one text frame of the raw payload. Herald (docs/protocol.md) is told
     * {@code {"type":"subscribe","channel":…}} after the upgrade, acknowledges it with an {@code ack}, and sends
     * {@code {"type":"message",…,"data":"…"}} frames and {@code reset} frames.
     */
    private final class WsSub extends Sub {
        WsSub(int index, String channel) {
            super(index, channel);
        }

        @Override
        void pipeline(ChannelPipeline pipeline) {
            URI uri = URI.create("ws://" + spec.host() + ":" + spec.port() + spec.kind().wsPath(channelName));
            pipeline.addLast("aggregate", new HttpObjectAggregator(65536));
            pipeline.addLast("ws", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri)
                    .version(WebSocketVersion.V13)
                    .handleCloseFrames(true)
                    .dropPongFrames(true)
                    .maxFramePayloadLength(1 << 20)
                    .build()));
            pipeline.addLast("sub", new SimpleChannelInboundHandler<WebSocketFrame>() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                    if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                        requests.increment();
                        if (spec.kind() == ServerKind.HERALD) {
                            ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channel\":\""
                                    + channelName + "\"}"));
                        } else {
                            established();
                        }
                    } else if (event
                            == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                        attemptFailed();
                        ctx.close();
                    }
                    super.userEventTriggered(ctx, event);
                }

                @Override
                protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                    if (!(frame instanceof TextWebSocketFrame text)) {
                        return;
                    }
                    ByteBuf content = text.content();
                    if (spec.kind() == ServerKind.NCHAN) {
                        byte[] bytes = new byte[Math.min(content.readableBytes(), 48)];
                        content.getBytes(content.readerIndex(), bytes);
                        record(bytes, 0, bytes.length, checker, scratch);
                        return;
                    }
                    herald(ctx, content);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
        }

        private void herald(ChannelHandlerContext ctx, ByteBuf content) {
            int type = indexOf(content, TYPE);
            if (type < 0) {
                return;
            }
            int t = type + TYPE.length;
            byte first = content.getByte(t);
            if (first == 'm') {   // "message"
                int data = indexOf(content, DATA);
                if (data >= 0) {
                    int from = data + DATA.length;
                    int length = Math.min(48, content.writerIndex() - from);
                    byte[] bytes = new byte[length];
                    content.getBytes(from, bytes);
                    record(bytes, 0, length, checker, scratch);
                }
            } else if (first == 'a') {   // "ack" of the subscribe
                established();
            } else if (first == 'r') {   // "reset"
                checker.reset();
            } else if (first == 'e' && !established) {   // "error" refusing the subscribe
                attemptFailed();
                ctx.close();
            }
        }

        @Override
        void active(boolean reconnect) {
            // The protocol handler sends the upgrade request when the channel becomes active.
        }
    }

    private static final byte[] TYPE = "\"type\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\"data\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Index of {@code needle} in the readable bytes of {@code buf}, or -1. */
    static int indexOf(ByteBuf buf, byte[] needle) {
        int end = buf.writerIndex() - needle.length;
        outer:
        for (int i = buf.readerIndex(); i <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
