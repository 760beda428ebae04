package dev.herald.server.websocket;

import dev.herald.core.ChannelId;
import dev.herald.core.CloseReason;
import dev.herald.core.HeraldNode;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.Member;
import dev.herald.core.PresenceLimitException;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.server.HeraldServerConfig;
import dev.herald.server.http.HttpProblem;
import dev.herald.server.http.HttpResponses;
import dev.herald.server.internal.LiveConnections;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection's inbound side: completes the handshake, then turns each frame into a command and runs
 * it — subscribe, unsubscribe, publish, ping — answering every command with exactly one {@code ack}, {@code error}
 * or {@code pong}. A bad command gets an {@code error} and the connection stays open; a frame that breaks the
 * WebSocket protocol itself closes it (1002, 1007, 1009). Not sharable: one instance per connection, confined to
 * its event loop.
 */
final class WebSocketHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);

    private final HeraldNode node;
    private final HeraldServerConfig config;
    private final LiveConnections live;
    private final Member member;
    private final WebSocketDecoderConfig decoder;
    private @Nullable WebSocketSubscriber subscriber;
    /** Whether the UTF-8 validator and the fragment aggregator sit in front of this handler; see {@link #frame}. */
    private boolean joinsFragments;

    /** {@code decoder}: the server's one frame decoder configuration, shared by every connection. */
    WebSocketHandler(HeraldNode node, HeraldServerConfig config, LiveConnections live, Member member,
                     WebSocketDecoderConfig decoder) {
        this.node = node;
        this.config = config;
        this.live = live;
        this.member = member;
        this.decoder = decoder;
    }

    /** The server's frame decoder configuration: frames up to {@code maxFrameBytes}, protocol errors close. */
    static WebSocketDecoderConfig decoderConfig(int maxFrameBytes, boolean extensions) {
        return WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .allowExtensions(extensions)
                .closeOnProtocolViolation(true)
                .build();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof FullHttpRequest request) {
                handshake(ctx, request);
            } else if (msg instanceof WebSocketFrame frame && subscriber != null) {
                if (!joinsFragments && !frame.isFinalFragment()) {
                    joinFragments(ctx, frame.retain());
                } else {
                    frame(ctx, subscriber, frame);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The connection is gone, however it ended. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null) {
            subscriber.disconnected();
        }
        super.channelInactive(ctx);
    }

    private void handshake(ChannelHandlerContext ctx, FullHttpRequest request) {
        String url = "ws://" + request.headers().get("Host", "localhost") + WebSocketEndpoint.PATH;
        // RFC 6455 only: Netty would also speak the drafts (hixie-76, hybi 07 and 08) no browser has sent since 2012.
        WebSocketServerHandshaker handshaker = "13".equals(request.headers().get("Sec-WebSocket-Version"))
                ? new WebSocketServerHandshakerFactory(url, null, decoder).newHandshaker(request) : null;
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        try {
            handshaker.handshake(ctx.channel(), request).addListener(done -> {
                if (done.isSuccess()) {
                    opened(ctx);
                } else {
                    ctx.close();
                }
            });
        } catch (WebSocketHandshakeException e) {
            HttpResponses.error(ctx, false, new HttpProblem(HttpResponseStatus.BAD_REQUEST, "invalid_handshake",
                    "not a valid WebSocket handshake: " + e.getMessage()));
        }
    }

    private void opened(ChannelHandlerContext ctx) {
        WebSocketSubscriber created = new WebSocketSubscriber(ctx.channel(), live, config.maxOutboundBytes(),
                config.wsPingInterval().toNanos(), config.wsPingTimeout().toNanos());
        subscriber = created;
        created.start();
        created.send(WebSocketCodec.connected(member, config.wsPingInterval().toMillis(),
                config.wsPingTimeout().toMillis(), config.maxMessageBytes(), config.wsMaxSubscriptions()));
    }

    /**
     * The first fragment of a message split over several frames, which clients rarely send. Netty's UTF-8 validator
     * (1007 for bad text) and fragment aggregator (the whole message up to the frame limit, 1009 beyond) go in
     * front of this handler from now on, and the fragment goes through them. Until then a connection has neither:
     * two handlers and their contexts on every idle WebSocket, for what this handler checks of a complete frame
     * itself ({@link #frame}). The decoder has already refused continuations that start no message.
     */
    private void joinFragments(ChannelHandlerContext ctx, WebSocketFrame fragment) {
        joinsFragments = true;
        ChannelPipeline pipeline = ctx.pipeline();
        Utf8FrameValidator validator = new Utf8FrameValidator(true);
        pipeline.addBefore(ctx.name(), "ws-utf8", validator);
        pipeline.addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(decoder.maxFramePayloadLength()));
        try {
            validator.channelRead(pipeline.context(validator), fragment);
        } catch (Exception e) {
            pipeline.fireExceptionCaught(e);
        }
    }

    private void frame(ChannelHandlerContext ctx, WebSocketSubscriber out, WebSocketFrame frame) {
        out.read();
        if (!joinsFragments && frame instanceof TextWebSocketFrame
                && !ByteBufUtil.isText(frame.content(), StandardCharsets.UTF_8)) {
            out.close(CloseReason.INVALID_PAYLOAD, "text frame is not valid UTF-8");
            return;
        }
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            byte[] bytes = ByteBufUtil.getBytes(frame.content());
            ClientCommand command;
            try {
                int max = config.maxMessageBytes();
                command = frame instanceof TextWebSocketFrame ? WebSocketCodec.parseText(bytes, max)
                        : WebSocketCodec.parseBinary(bytes, max);
                run(ctx, out, command);
            } catch (WebSocketProblem problem) {
                out.send(WebSocketCodec.error(problem));
            }
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
        } else if (frame instanceof CloseWebSocketFrame close) {
            out.closedByClient(close.retain());
        }
        // A pong (or anything else) only proves the peer is alive, which read() recorded.
    }

    private void run(ChannelHandlerContext ctx, WebSocketSubscriber out, ClientCommand command) {
        switch (command) {
            case ClientCommand.Subscribe subscribe -> subscribe(ctx, out, subscribe);
            case ClientCommand.Unsubscribe unsubscribe -> {
                if (!out.unsubscribe(unsubscribe.channel())) {
                    throw new WebSocketProblem("not_subscribed", "this connection is not subscribed to "
                            + unsubscribe.channel(), unsubscribe.ref(), unsubscribe.channel());
                }
                out.send(WebSocketCodec.unsubscribed(unsubscribe.ref(), unsubscribe.channel()));
            }
            case ClientCommand.Publish publish -> publish(ctx, out, publish);
            case ClientCommand.Ping ping -> out.send(WebSocketCodec.pong(ping.ref()));
        }
    }

    private void subscribe(ChannelHandlerContext ctx, WebSocketSubscriber out, ClientCommand.Subscribe command) {
        ChannelId channel = command.channel();
        if (out.sink(channel) != null) {
            throw new WebSocketProblem("already_subscribed", "this connection is already subscribed to " + channel,
                    command.ref(), channel);
        }
        if (out.subscriptionCount() >= config.wsMaxSubscriptions()) {
            throw new WebSocketProblem("too_many_subscriptions", "a connection may hold at most "
                    + config.wsMaxSubscriptions() + " subscriptions", command.ref(), channel);
        }
        WebSocketSubscriber.Sink sink = out.newSink(channel, command.ref());
        StreamPosition after = command.after();
        CompletableFuture<Subscription> subscribed = command.presence()
                ? node.subscribe(channel, after, sink, member)
                : node.subscribe(channel, after, sink);
        subscribed.whenComplete((subscription, failure) -> onLoop(ctx, () -> out.subscribed(sink, subscription,
                failure == null ? null : problem(failure, command.ref(), channel))));
    }

    private void publish(ChannelHandlerContext ctx, WebSocketSubscriber out, ClientCommand.Publish command) {
        PublishOptions options = new PublishOptions(command.event(), command.ephemeral());
        node.publish(command.channel(), command.payload(), options).whenComplete((position, failure) ->
                onLoop(ctx, () -> out.send(failure != null
                        ? WebSocketCodec.error(problem(failure, command.ref(), command.channel()))
                        : WebSocketCodec.published(command.ref(), command.channel(),
                                command.ephemeral() ? null : position))));
    }

    /** Runs now when already on the connection's event loop (the in-memory broker answers at once), else there. */
    private static void onLoop(ChannelHandlerContext ctx, Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    /** Maps a failed operation to the error frame it deserves. */
    private static WebSocketProblem problem(Throwable failure, @Nullable Object ref, ChannelId channel) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof PresenceLimitException) {
            return new WebSocketProblem("presence_full", cause.getMessage(), ref, channel);
        }
        if (cause instanceof HeraldUnavailableException) {
            return new WebSocketProblem("unavailable", cause.getMessage(), ref, channel);
        }
        if (cause instanceof IllegalStateException && String.valueOf(cause.getMessage()).contains("closed")) {
            return new WebSocketProblem("unavailable", "the server is shutting down", ref, channel);
        }
        log.error("WebSocket command on {} failed", channel, cause);
        return new WebSocketProblem("internal_error", "the server failed to handle the command", ref, channel);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        // While the client does not read what we send, do not read what it sends: its answers would pile up.
        ctx.channel().config().setAutoRead(writable);
        if (subscriber != null) {
            subscriber.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        WebSocketSubscriber out = subscriber;
        if (cause instanceof CorruptedWebSocketFrameException) {
            // The decoder (or the UTF-8 validator) has already sent the close frame (1002, 1007, 1009) and closes.
            log.debug("WebSocket from {} broke the protocol: {}", ctx.channel().remoteAddress(), cause.getMessage());
            return;
        }
        if (cause instanceof TooLongFrameException && out != null) {
            // From the fragment aggregator or the inflater: the message as a whole is over the limit.
            out.close(CloseReason.MESSAGE_TOO_BIG, "message larger than " + decoder.maxFramePayloadLength() + " bytes");
            return;
        }
        if (cause instanceof BoundedDeflateExtension.CorruptDeflateException && out != null) {
            out.close(CloseReason.PROTOCOL_ERROR, "compressed data does not inflate");
            return;
        }
        if (cause instanceof IOException) {
            log.debug("WebSocket from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        log.warn("WebSocket from {} failed", ctx.channel().remoteAddress(), cause);
        if (out != null) {
            out.close(CloseReason.INTERNAL_ERROR, "internal error; reconnect and resume");
        } else {
            ctx.close();
        }
    }
}
