package dev.herald.server.sse;

import dev.herald.core.CloseReason;
import dev.herald.core.HeraldNode;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.server.HeraldServerConfig;
import dev.herald.server.http.ChannelsEndpoint;
import dev.herald.server.http.HttpResponses;
import dev.herald.server.http.RequestTarget;
import dev.herald.server.http.StreamRequest;
import dev.herald.server.internal.LiveConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/sse?channel=a[&channel=b…][&lastEventId=CURSOR]}: a {@code text/event-stream} of every message
 * published to the channels. The resume cursor comes from the {@code Last-Event-ID} header, which
 * {@code EventSource} sends on every reconnect and which therefore wins, or from the {@code lastEventId}
 * parameter, since {@code EventSource} cannot set headers on its first request.
 */
public final class SseEndpoint {

    private final HeraldNode node;
    private final HeraldServerConfig config;
    private final LiveConnections live;

    public SseEndpoint(HeraldNode node, HeraldServerConfig config, LiveConnections live) {
        this.node = node;
        this.config = config;
        this.live = live;
    }

    /** Opens the stream; throws {@link dev.herald.server.http.HttpProblem} for a bad request before any byte. */
    public void open(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive, RequestTarget query) {
        String cursorText = request.headers().get("Last-Event-ID");
        if (cursorText == null || cursorText.isEmpty()) {
            cursorText = query.parameter("lastEventId");
        }
        StreamRequest stream = StreamRequest.parse(query, cursorText, config.maxChannelsPerRequest());
        Channel channel = ctx.channel();
        SseSubscriber subscriber = new SseSubscriber(channel, live, stream.channels(), config.maxOutboundBytes(),
                config.sseKeepAlive().toNanos());
        channel.closeFuture().addListener(f -> subscriber.close(CloseReason.NORMAL));

        int count = stream.channels().size();
        @SuppressWarnings("unchecked")
        CompletableFuture<Subscription>[] futures = new CompletableFuture[count];
        for (int i = 0; i < count; i++) {
            StreamPosition since = stream.cursor() == null ? null : stream.cursor().get(i);
            futures[i] = node.subscribe(stream.channels().get(i), since, subscriber);
        }
        CompletableFuture.allOf(futures).whenComplete((ok, failure) -> channel.eventLoop().execute(() -> {
            for (CompletableFuture<Subscription> future : futures) {
                if (!future.isCompletedExceptionally()) {
                    subscriber.add(future.join());
                }
            }
            if (failure != null) {
                subscriber.close(CloseReason.NORMAL);
                HttpResponses.error(ctx, false, ChannelsEndpoint.problem(failure));
                return;
            }
            if (!channel.isActive()) {
                subscriber.close(CloseReason.NORMAL);
                return;
            }
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .set("X-Accel-Buffering", "no")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            channel.write(response);
            StreamPosition[] initial = new StreamPosition[count];
            for (int i = 0; i < count; i++) {
                initial[i] = stream.cursor() != null ? stream.cursor().get(i) : futures[i].join().start();
            }
            subscriber.start(initial, config.sseRetry().toMillis());
        }));
    }
}
