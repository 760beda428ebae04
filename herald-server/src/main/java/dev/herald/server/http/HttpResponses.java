package dev.herald.server.http;

import dev.herald.server.internal.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Writes complete (non-streaming) responses, honouring the request's keep-alive. Answering a keep-alive request
 * starts the connection's request timeout for the next one.
 */
public final class HttpResponses {

    private HttpResponses() {
    }

    /**
     * A {@code 200} JSON answer that many requests get as it is, e.g. every long poll answered with the same one
     * message: encoded once, headers and all, and sent by reference (see {@link HttpCodec.Prepared}).
     */
    public static HttpCodec.Prepared sharedJson(byte[] body) {
        return HttpCodec.Prepared.ok(body, HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON,
                HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    }

    public static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpCodec.Prepared answer) {
        if (!keepAlive) {
            json(ctx, false, HttpResponseStatus.OK, answer.body().retainedDuplicate());   // needs its own headers
            return;
        }
        if (ctx.channel().isActive()) {
            keptAlive(ctx, answer);
        }
    }

    public static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, byte[] body) {
        send(ctx, keepAlive, status, "application/json", body);
    }

    /** Sends {@code body} (and releases it), e.g. a page {@link Json} wrote straight into a pooled buffer. */
    public static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, ByteBuf body) {
        send(ctx, keepAlive, response(status, "application/json", body));
    }

    public static void error(ChannelHandlerContext ctx, boolean keepAlive, HttpProblem problem) {
        FullHttpResponse response = response(problem.status(), "application/json",
                Json.error(problem.code(), problem.getMessage()));
        if (problem.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, problem.allow());
        }
        send(ctx, keepAlive, response);
    }

    public static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
                            String contentType, byte[] body) {
        send(ctx, keepAlive, response(status, contentType, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        return response(status, contentType, Unpooled.wrappedBuffer(body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, ByteBuf body) {
        // No trailers on a response with a Content-Length: the shared empty headers, not a map per response.
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body,
                DefaultHttpHeadersFactory.headersFactory().newHeaders(), EmptyHttpHeaders.INSTANCE);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    public static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        // HTTP/1.1 connections persist unless a header says otherwise, so a kept-alive answer needs no header.
        if (keepAlive) {
            keptAlive(ctx, response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void keptAlive(ChannelHandlerContext ctx, Object response) {
        HttpConnection.of(ctx.channel()).answered();
        ctx.writeAndFlush(response, ctx.voidPromise());
    }
}
