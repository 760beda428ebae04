package dev.herald.server.http;

import dev.herald.server.internal.SharedBytes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * HTTP/1.1 on one server connection: Netty's request decoder and response encoder as two pipeline handlers, plus
 * one kind of response the encoder passes on as it is: a {@link Prepared} answer, whose status line, headers and
 * body were encoded once and are shared by every connection that sends it (every long poll answered with the same
 * message), so a write is one buffer instead of a response object, a header block encoded per poll and a body.
 *
 * <p>Why not Netty's {@code HttpServerCodec}: the answer to a HEAD request must carry no body, so the codec
 * remembers each request's method until its response, in a queue that only its own encoder reads. A response
 * written past that encoder would leave its entry behind, and every later response on the connection would be
 * matched with the wrong request. Here the queue is this class's, and a prepared answer takes its entry too.
 * Netty's WebSocket handshaker finds the two handlers as it finds its own codec, and takes both out.
 *
 * <p>Memory: the queue holds one method per request decoded and not yet answered. It stays short: the router
 * answers a connection's requests in turn and closes a connection that sends one while another is held.
 */
public final class HttpCodec {

    /** The pipeline names of the two halves; a connection that leaves HTTP (SSE, WebSocket) removes both. */
    public static final String DECODER = "http-decoder";
    public static final String ENCODER = "http-encoder";

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    private HttpCodec() {
    }

    /**
     * Adds one connection's encoder and decoder (bounding the request line, the header block and a chunk). The
     * encoder goes first, nearer the socket: the WebSocket handshaker puts its frame decoder where the request
     * decoder was and its frame encoder next to the response encoder, and the close frame that the frame decoder
     * writes on a protocol error must pass the frame encoder on its way out.
     */
    public static void addTo(ChannelPipeline pipeline, int maxInitialLine, int maxHeaderSize, int maxChunkSize) {
        HttpCodec codec = new HttpCodec();
        pipeline.addLast(ENCODER, codec.new Encoder());
        pipeline.addLast(DECODER, codec.new Decoder(maxInitialLine, maxHeaderSize, maxChunkSize));
    }

    /**
     * A complete response — status line, headers and body — in {@link SharedBytes shared direct memory}, written
     * as a duplicate per write. Only a response that needs nothing of the request it answers (no
     * {@code Connection: close}) can be prepared.
     */
    public record Prepared(ByteBuf bytes, int headLength) {

        /** A {@code 200} with {@code body} and the headers given as name and value pairs, in order. */
        public static Prepared ok(byte[] body, CharSequence... headers) {
            StringBuilder head = new StringBuilder(128).append("HTTP/1.1 ").append(HttpResponseStatus.OK)
                    .append("\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            head.append("content-length: ").append(body.length).append("\r\n\r\n");
            byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
            byte[] whole = Arrays.copyOf(headBytes, headBytes.length + body.length);
            System.arraycopy(body, 0, whole, headBytes.length, body.length);
            return new Prepared(SharedBytes.direct(whole), headBytes.length);
        }

        /** The body alone, e.g. to send it in a response of its own; a view, not a copy. */
        public ByteBuf body() {
            return bytes.slice(headLength, bytes.readableBytes() - headLength);
        }
    }

    /** Netty's request decoder, remembering each request's method for the answer. */
    private final class Decoder extends HttpRequestDecoder {

        Decoder(int maxInitialLine, int maxHeaderSize, int maxChunkSize) {
            super(maxInitialLine, maxHeaderSize, maxChunkSize);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    methods.add(request.method());
                }
            }
        }
    }

    /** Netty's response encoder, leaving out the body of an answer to HEAD; passes prepared answers on as they are. */
    private final class Encoder extends HttpResponseEncoder {

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof Prepared answer) {
                ByteBuf bytes = HttpMethod.HEAD.equals(methods.poll())
                        ? answer.bytes().retainedSlice(0, answer.headLength())
                        : answer.bytes().retainedDuplicate();
                ctx.write(bytes, promise);
            } else {
                super.write(ctx, msg, promise);
            }
        }

        /**
         * Called once per response head. An interim answer ({@code 100 Continue}) leaves its request's entry for
         * the final one; {@code 101 Switching Protocols} is final.
         */
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            boolean interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            HttpMethod method = interim ? methods.peek() : methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }
    }
}
