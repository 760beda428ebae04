package dev.herald.server.http;

import dev.herald.server.HeraldServerConfig;
import dev.herald.server.internal.Json;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * One pipeline per connection: HTTP/1.1 decoder and encoder (bounded request line and headers; see
 * {@link HttpCodec}), aggregator (bounded body), router.
 * The request timeout starts here; the server's housekeeping tick enforces it (see {@link HttpConnection}).
 */
public final class HeraldServerInitializer extends ChannelInitializer<SocketChannel> {

    /** Longest request line (method, path, query), in bytes; longer gets 414. Stops unbounded URL buffering. */
    public static final int MAX_INITIAL_LINE = 8192;
    /** Largest header block, in bytes; larger gets 431. */
    public static final int MAX_HEADER_SIZE = 16384;

    private final HeraldServerConfig config;
    private final HttpRouter router;
    private final HttpConnections all;

    public HeraldServerInitializer(HeraldServerConfig config, HttpRouter router, HttpConnections all) {
        this.config = config;
        this.router = router;
        this.all = all;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        all.opened(channel);
        ChannelPipeline pipeline = channel.pipeline();
        HttpCodec.addTo(pipeline, MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192);
        pipeline.addLast("aggregator", new BoundedAggregator(config.maxMessageBytes()));
        pipeline.addLast("router", router);
    }

    /**
     * The stock aggregator, answering an oversized body with Herald's JSON error instead of an empty 413, and
     * passing a request without a body straight on. Most requests are such GETs (every long poll), and the decoder
     * hands each over as its head followed by an empty last content; aggregating them would cost a composite
     * buffer, an aggregate message and a {@code Content-Length: 0} header per request.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int maxBytes;
        /** The head of a request without a body, until the empty content that ends it. */
        private @Nullable HttpRequest bodiless;

        BoundedAggregator(int maxBytes) {
            super(maxBytes, true);
            this.maxBytes = maxBytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpRequest head && !(msg instanceof HttpContent) && hasNoBody(head)) {
                bodiless = head;
                return;
            }
            HttpRequest head = bodiless;
            if (head != null) {
                bodiless = null;
                if (msg instanceof LastHttpContent last && !last.content().isReadable()
                        && last.trailingHeaders().isEmpty()) {
                    last.release();
                    FullHttpRequest request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(),
                            head.uri(), Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
                    request.setDecoderResult(head.decoderResult());
                    ctx.fireChannelRead(request);
                    return;
                }
                super.channelRead(ctx, head);   // not what the decoder sends after a bodiless head; aggregate as usual
            }
            super.channelRead(ctx, msg);
        }

        /**
         * RFC 9112 §6.3: a request has a body only with a Content-Length or Transfer-Encoding. One with an
         * {@code Expect} goes through the aggregator, which answers the expectation; so does one that failed to
         * decode, which the aggregator passes on at once.
         */
        private static boolean hasNoBody(HttpRequest head) {
            HttpHeaders headers = head.headers();
            return head.decoderResult().isSuccess() && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                    && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                    && !headers.contains(HttpHeaderNames.EXPECT);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // The rest of the body is still on its way; closing is the only way not to read it.
            ctx.writeAndFlush(tooLarge()).addListener(ChannelFutureListener.CLOSE);
        }

        /**
         * An oversized body announced with {@code Expect: 100-continue} (curl sends it for larger bodies) gets the
         * same JSON answer instead of Netty's empty 413; the aggregator then closes, as for any refused expectation.
         */
        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object response = super.newContinueResponse(start, maxContentLength, pipeline);
            if (response instanceof HttpResponse refused
                    && refused.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
                ReferenceCountUtil.release(refused);
                return tooLarge();
            }
            return response;
        }

        private FullHttpResponse tooLarge() {
            byte[] body = Json.error("payload_too_large", "the body exceeds " + maxBytes + " bytes");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set(HttpHeaderNames.CONNECTION, "close")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return response;
        }
    }
}
