package dev.herald.server.http;

import dev.herald.core.ChannelId;
import dev.herald.core.HeraldNode;
import dev.herald.server.internal.Json;
import dev.herald.server.internal.LiveConnections;
import dev.herald.server.longpoll.LongPollEndpoint;
import dev.herald.server.sse.SseEndpoint;
import dev.herald.server.websocket.WebSocketEndpoint;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each complete request by path to its endpoint, and turns {@link HttpProblem}s into JSON errors. Shared by
 * every connection of a server.
 *
 * <p>A complete request stops the connection's request timeout until it is answered; an SSE stream or a long poll
 * holds the connection, and a further request on a held connection closes it (see {@link HttpConnection}).
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    private static final String CHANNELS_PREFIX = "/v1/channels/";
    private static final String MESSAGES_SUFFIX = "/messages";
    private static final String PRESENCE_SUFFIX = "/presence";

    private final HeraldNode node;
    private final LiveConnections live;
    private final ChannelsEndpoint channels;
    private final SseEndpoint sse;
    private final LongPollEndpoint poll;
    private final WebSocketEndpoint ws;
    private final PresenceEndpoint presence;
    private final StaticFiles files = new StaticFiles();

    public HttpRouter(HeraldNode node, LiveConnections live, ChannelsEndpoint channels, SseEndpoint sse,
                      LongPollEndpoint poll, WebSocketEndpoint ws) {
        this.node = node;
        this.live = live;
        this.channels = channels;
        this.sse = sse;
        this.poll = poll;
        this.ws = ws;
        this.presence = new PresenceEndpoint(node);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpConnection connection = HttpConnection.of(ctx.channel());
        if (connection.isHeld()) {
            ctx.close();   // a pipelined request behind a held one could only be answered out of order
            return;
        }
        connection.requestArrived();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            HttpResponses.error(ctx, false, undecodable(request.decoderResult().cause()));
            return;
        }
        try {
            route(ctx, connection, request, keepAlive);
        } catch (HttpProblem problem) {
            connection.release();
            HttpResponses.error(ctx, keepAlive, problem);
        } catch (RuntimeException e) {
            connection.release();
            HttpResponses.error(ctx, keepAlive, ChannelsEndpoint.problem(e));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        HttpConnection.of(ctx.channel()).closed();
        ctx.fireChannelInactive();
    }

    private void route(ChannelHandlerContext ctx, HttpConnection connection, FullHttpRequest request,
                       boolean keepAlive) {
        RequestTarget query = RequestTarget.parse(request.uri());
        String path = query.path();
        HttpMethod method = request.method();
        if (path.startsWith(CHANNELS_PREFIX) && path.endsWith(MESSAGES_SUFFIX)
                && path.length() > CHANNELS_PREFIX.length() + MESSAGES_SUFFIX.length()) {
            ChannelId channel = StreamRequest.channel(
                    path.substring(CHANNELS_PREFIX.length(), path.length() - MESSAGES_SUFFIX.length()));
            if (method.equals(HttpMethod.POST)) {
                channels.publish(ctx, request, keepAlive, channel, query);
            } else if (method.equals(HttpMethod.GET)) {
                channels.history(ctx, keepAlive, channel, query);
            } else {
                throw methodNotAllowed(method, "GET, POST");
            }
            return;
        }
        if (path.startsWith(CHANNELS_PREFIX) && path.endsWith(PRESENCE_SUFFIX)
                && path.length() > CHANNELS_PREFIX.length() + PRESENCE_SUFFIX.length()) {
            requireGet(method);
            presence.members(ctx, keepAlive, StreamRequest.channel(
                    path.substring(CHANNELS_PREFIX.length(), path.length() - PRESENCE_SUFFIX.length())));
            return;
        }
        switch (path) {
            case WebSocketEndpoint.PATH -> {
                requireGet(method);
                ws.upgrade(ctx, request, query);   // the connection is the WebSocket's from here on
            }
            case "/v1/sse" -> {
                requireGet(method);
                connection.holdStream();
                sse.open(ctx, request, keepAlive, query);
            }
            case "/v1/poll" -> {
                requireGet(method);
                poll.poll(ctx, connection, keepAlive, query);
            }
            case "/healthz" -> {
                requireGet(method);
                HttpResponses.json(ctx, keepAlive, HttpResponseStatus.OK,
                        "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII));
            }
            case "/v1/stats" -> {
                requireGet(method);
                stats(ctx, keepAlive);
            }
            default -> serveFile(ctx, request, keepAlive, path);
        }
    }

    private void stats(ChannelHandlerContext ctx, boolean keepAlive) {
        Runtime runtime = Runtime.getRuntime();
        HttpResponses.json(ctx, keepAlive, HttpResponseStatus.OK, Json.write(g -> {
            g.writeStartObject();
            g.writeNumberField("subscriptions", node.subscriptionCount());
            g.writeNumberField("heldConnections", live.size() + poll.held());
            g.writeNumberField("heapUsedBytes", runtime.totalMemory() - runtime.freeMemory());
            g.writeNumberField("heapMaxBytes", runtime.maxMemory());
            g.writeEndObject();
        }));
    }

    private void serveFile(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive, String path) {
        StaticFiles.File file = request.method().equals(HttpMethod.GET) ? files.get(path) : null;
        if (file == null) {
            throw new HttpProblem(HttpResponseStatus.NOT_FOUND, "not_found", "no such endpoint: "
                    + request.method() + " " + (path.length() > 100 ? path.substring(0, 100) + "..." : path));
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                io.netty.buffer.Unpooled.wrappedBuffer(file.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, file.body().length);
        HttpResponses.send(ctx, keepAlive, response);
    }

    private static void requireGet(HttpMethod method) {
        if (!method.equals(HttpMethod.GET)) {
            throw methodNotAllowed(method, "GET");
        }
    }

    /** Why the codec could not decode a request; its two limits get the statuses RFC 9110 has for them. */
    private static HttpProblem undecodable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new HttpProblem(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long",
                    "the request line exceeds " + HeraldServerInitializer.MAX_INITIAL_LINE + " bytes");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new HttpProblem(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                    "the header block exceeds " + HeraldServerInitializer.MAX_HEADER_SIZE + " bytes");
        }
        return HttpProblem.badRequest("malformed_request", "the request is not valid HTTP");
    }

    private static HttpProblem methodNotAllowed(HttpMethod method, String allowed) {
        return HttpProblem.methodNotAllowed(method.name(), allowed);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
