package dev.herald.server.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * permessage-deflate (RFC 7692) with a bound on what a client's message may inflate to. Netty's stock decoder
 * (4.1.115) inflates a frame whole before anything can look at its size, so 64 KiB of deflate could become 64 MiB
 * on the heap (a "zip bomb"); this one stops inflating at the limit and fails the connection with 1009. Negotiation
 * and the outbound encoder are Netty's ({@link PerMessageDeflateServerExtensionHandshaker}).
 */
final class BoundedDeflateExtension implements WebSocketServerExtensionHandshaker {

    /** RFC 7692 §7.2.2: the empty stored block a sender strips from the end of every message. */
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

    private final PerMessageDeflateServerExtensionHandshaker netty = new PerMessageDeflateServerExtensionHandshaker();
    private final int maxMessageBytes;

    private BoundedDeflateExtension(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The handler that negotiates the extension on the upgrade and installs its codecs after the 101. */
    static WebSocketServerExtensionHandler handler(int maxMessageBytes) {
        return new WebSocketServerExtensionHandler(new BoundedDeflateExtension(maxMessageBytes));
    }

    @Override
    public @Nullable WebSocketServerExtension handshakeExtension(WebSocketExtensionData request) {
        WebSocketServerExtension negotiated = netty.handshakeExtension(request);
        if (negotiated == null) {
            return null;
        }
        boolean noContext = negotiated.newReponseData().parameters().containsKey("client_no_context_takeover");
        return new WebSocketServerExtension() {
            @Override
            public int rsv() {
                return negotiated.rsv();
            }

            @Override
            public WebSocketExtensionEncoder newExtensionEncoder() {
                return negotiated.newExtensionEncoder();
            }

            @Override
            public WebSocketExtensionDecoder newExtensionDecoder() {
                return new BoundedInflater(maxMessageBytes, noContext);
            }

            @Override
            public WebSocketExtensionData newReponseData() {
                return negotiated.newReponseData();
            }
        };
    }

    /** Compressed data that does not inflate: the connection fails with 1002. */
    static final class CorruptDeflateException extends DecoderException {
        CorruptDeflateException(String message) {
            super(message);
        }
    }

    /**
     * Inflates compressed messages (RSV1 on the first frame) fragment by fragment, counting the bytes produced per
     * message; past the limit it throws {@link TooLongFrameException} and stops. One per connection: the LZ77
     * window carries over between messages unless the client agreed to {@code client_no_context_takeover}.
     */
    static final class BoundedInflater extends WebSocketExtensionDecoder {
        private final int maxMessageBytes;
        private final boolean noContext;
        private final Inflater inflater = new Inflater(true);
        private final byte[] chunk = new byte[8192];
        private boolean compressed;
        private long messageBytes;

        BoundedInflater(int maxMessageBytes, boolean noContext) {
            this.maxMessageBytes = maxMessageBytes;
            this.noContext = noContext;
        }

        @Override
        public boolean acceptInboundMessage(Object msg) throws Exception {
            return msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame
                    || msg instanceof ContinuationWebSocketFrame;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            if (!(frame instanceof ContinuationWebSocketFrame)) {
                compressed = (frame.rsv() & WebSocketExtension.RSV1) != 0;
                messageBytes = 0;
            }
            if (!compressed) {
                out.add(frame.retain());
                return;
            }
            ByteBuf inflated = ctx.alloc().buffer(Math.min(frame.content().readableBytes() * 4 + 64, chunk.length));
            try {
                inflate(frame.content(), inflated);
                if (frame.isFinalFragment()) {
                    inflater.setInput(TAIL);
                    drain(inflated);
                    if (noContext || inflater.finished()) {
                        inflater.reset();
                    }
                    compressed = false;
                }
            } catch (RuntimeException e) {
                inflated.release();
                throw e;
            }
            int rsv = frame.rsv() & ~WebSocketExtension.RSV1;
            if (frame instanceof TextWebSocketFrame) {
                out.add(new TextWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
            } else if (frame instanceof BinaryWebSocketFrame) {
                out.add(new BinaryWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
            } else {
                out.add(new ContinuationWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
            }
        }

        private void inflate(ByteBuf content, ByteBuf inflated) {
            byte[] input = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), input);
            inflater.setInput(input);
            drain(inflated);
        }

        private void drain(ByteBuf inflated) {
            try {
                while (!inflater.needsInput() && !inflater.finished()) {
                    int n = inflater.inflate(chunk);
                    if (n == 0) {
                        if (inflater.needsDictionary()) {
                            throw new CorruptDeflateException("compressed data asks for a preset dictionary");
                        }
                        break;
                    }
                    messageBytes += n;
                    if (messageBytes > maxMessageBytes) {
                        throw new TooLongFrameException("a compressed message inflates beyond " + maxMessageBytes
                                + " bytes");
                    }
                    inflated.writeBytes(chunk, 0, n);
                }
            } catch (DataFormatException e) {
                throw new CorruptDeflateException("compressed data does not inflate: " + e.getMessage());
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
            inflater.end();
            super.handlerRemoved(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            inflater.end();
            super.channelInactive(ctx);
        }
    }
}
