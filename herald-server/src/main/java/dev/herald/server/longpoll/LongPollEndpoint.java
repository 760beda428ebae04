package dev.herald.server.longpoll;

import dev.herald.core.HeraldNode;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.server.HeraldServerConfig;
import dev.herald.server.http.ChannelsEndpoint;
import dev.herald.server.http.HttpProblem;
import dev.herald.server.http.HttpResponses;
import dev.herald.server.http.StreamRequest;
import dev.herald.server.internal.LiveConnections;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/poll?channel=a[&channel=b…][&after=CURSOR][&timeout=SECONDS][&limit=N]}: answers at once when
 * anything after the cursor exists, else holds the request until a message arrives or the timeout passes. Without
 * {@code after}, waits for the next message. Every answer carries the cursor for the next poll.
 */
public final class LongPollEndpoint {

    private final HeraldNode node;
    private final HeraldServerConfig config;
    private final LiveConnections live;
    private final Timer timer;

    public LongPollEndpoint(HeraldNode node, HeraldServerConfig config, LiveConnections live, Timer timer) {
        this.node = node;
        this.config = config;
        this.live = live;
        this.timer = timer;
    }

    public void poll(ChannelHandlerContext ctx, boolean keepAlive, QueryStringDecoder query) {
        StreamRequest stream = StreamRequest.parse(query,
                StreamRequest.parameter(query.parameters(), "after"), config.maxChannelsPerRequest());
        int maxSeconds = (int) config.pollTimeoutMax().toSeconds();
        int timeoutSeconds = StreamRequest.intParameter(query.parameters(), "timeout", 0, maxSeconds,
                (int) config.pollTimeout().toSeconds());
        int limit = StreamRequest.intParameter(query.parameters(), "limit", 1, ChannelsEndpoint.MAX_LIMIT,
                ChannelsEndpoint.DEFAULT_LIMIT);
        LongPollSubscriber subscriber = new LongPollSubscriber(ctx, keepAlive, stream, limit, live);
        // Removed again when the poll is done: a keep-alive connection carries many polls, and a listener left on
        // its close future per poll would keep every finished poll (and its subscriptions) alive until it closes.
        ctx.channel().closeFuture().addListener(subscriber);

        int count = stream.channels().size();
        @SuppressWarnings("unchecked")
        CompletableFuture<Subscription>[] futures = new CompletableFuture[count];
        for (int i = 0; i < count; i++) {
            StreamPosition since = stream.cursor() == null ? null : stream.cursor().get(i);
            futures[i] = node.subscribe(stream.channels().get(i), since, subscriber);
        }
        CompletableFuture<?> all = count == 1 ? futures[0] : CompletableFuture.allOf(futures);
        all.whenComplete((ok, failure) -> {
            if (failure != null) {
                for (CompletableFuture<Subscription> future : futures) {
                    if (!future.isCompletedExceptionally()) {
                        future.join().close();
                    }
                }
                HttpProblem problem = ChannelsEndpoint.problem(failure);
                subscriber.fail(() -> HttpResponses.error(ctx, keepAlive, problem));
                return;
            }
            Subscription[] subscriptions = new Subscription[count];
            for (int i = 0; i < count; i++) {
                subscriptions[i] = futures[i].join();
            }
            subscriber.subscribed(subscriptions, timer.newTimeout(t -> subscriber.respondSoon(),
                    Math.max(timeoutSeconds * 1000L, 0), TimeUnit.MILLISECONDS));
        });
    }
}
