package dev.herald.server.http;

import dev.herald.server.internal.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Writes complete (non-streaming) responses, honouring the request's keep-alive. */
public final class HttpResponses {

    private HttpResponses() {
    }

    public static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, byte[] body) {
        send(ctx, keepAlive, status, "application/json", body);
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
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    public static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
