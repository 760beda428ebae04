package dev.herald.server.websocket;

import dev.herald.core.HeraldNode;
import dev.herald.core.Member;
import dev.herald.server.HeraldServerConfig;
import dev.herald.server.http.HttpProblem;
import dev.herald.server.http.RequestTarget;
import dev.herald.server.internal.LiveConnections;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code GET /v1/ws[?client=ID]}: checks the request's {@code Origin} against the {@link OriginPolicy} (403
 * {@code forbidden_origin} before the upgrade), then turns the connection into a WebSocket run by a
 * {@link WebSocketHandler}. Shared by every connection of a server; thread-safe.
 */
public final class WebSocketEndpoint {

    public static final String PATH = "/v1/ws";

    /**
     * Room for the JSON around a frame's data. A frame may be at most {@code 2 × max-message-size} plus this, which
     * fits any text data up to the message limit with ordinary escaping ({@code \"}, {@code \\}, {@code \n}); a
     * larger frame closes the connection with 1009 before it is buffered.
     */
    public static final int FRAME_ENVELOPE = 4096;

    private final HeraldNode node;
    private final HeraldServerConfig config;
    private final LiveConnections live;
    private final OriginPolicy origins;
    private final WebSocketDecoderConfig decoder;

    public WebSocketEndpoint(HeraldNode node, HeraldServerConfig config, LiveConnections live) {
        this.node = node;
        this.config = config;
        this.live = live;
        this.origins = OriginPolicy.of(config.allowedOrigins());
        int maxFrameBytes = (int) Math.min(Integer.MAX_VALUE - FRAME_ENVELOPE, 2L * config.maxMessageBytes())
                + FRAME_ENVELOPE;
        this.decoder = WebSocketHandler.decoderConfig(maxFrameBytes, config.wsCompression());
    }

    /**
     * Upgrades the connection of {@code ctx}, whose handler is the router, or throws {@link HttpProblem} before
     * anything is written. Called on the connection's event loop.
     */
    public void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget query) {
        HttpHeaders headers = request.headers();
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (!origins.allows(origin, headers.get(HttpHeaderNames.HOST))) {
            throw new HttpProblem(HttpResponseStatus.FORBIDDEN, "forbidden_origin", "origin '"
                    + abbreviate(String.valueOf(origin)) + "' may not open a WebSocket on this server; "
                    + "allow it with --allowed-origins");
        }
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            throw new HttpProblem(HttpResponseStatus.UPGRADE_REQUIRED, "upgrade_required", PATH
                    + " is a WebSocket endpoint: send Connection: Upgrade and Upgrade: websocket");
        }
        if (!headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            throw HttpProblem.badRequest("invalid_handshake", "the upgrade has no Sec-WebSocket-Key");
        }
        String connectionId = newConnectionId();
        String client = query.parameter("client");
        String clientId = client == null || client.isEmpty() ? connectionId : client;
        String problem = Member.idProblem("client id", clientId);
        if (problem != null) {
            throw HttpProblem.badRequest("invalid_client", problem);
        }
        Member member = new Member(connectionId, clientId);

        // From here on this connection speaks WebSocket: no request timeout (heartbeats take over), no router.
        ChannelPipeline pipeline = ctx.pipeline();
        WebSocketHandler handler = new WebSocketHandler(node, config, live, member, decoder);
        pipeline.addBefore(ctx.name(), "ws", handler);
        ChannelInboundHandler first = handler;
        if (config.wsCompression()) {
            // Negotiates permessage-deflate (RFC 7692) from the request, then installs the codecs after the 101.
            WebSocketServerExtensionHandler compression =
                    BoundedDeflateExtension.handler(decoder.maxFramePayloadLength());
            pipeline.addBefore("ws", "ws-deflate", compression);
            first = compression;
        }
        pipeline.remove(ctx.name());
        try {
            first.channelRead(pipeline.context(first), request.retain());
        } catch (Exception e) {
            pipeline.fireExceptionCaught(e);
        }
    }

    /** 60 random bits in base 36: unique enough to tell connections apart, and nothing to guess from. */
    private static String newConnectionId() {
        long bits = ThreadLocalRandom.current().nextLong() & ((1L << 60) - 1);
        return Long.toString(bits | (1L << 60), 36);
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 97) + "...";
    }
}
