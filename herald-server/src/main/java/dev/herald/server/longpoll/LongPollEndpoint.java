package dev.herald.server.longpoll;

import dev.herald.core.HeraldNode;
import dev.herald.core.StreamPosition;
import dev.herald.core.Subscription;
import dev.herald.server.HeraldServerConfig;
import dev.herald.server.http.ChannelsEndpoint;
import dev.herald.server.http.HttpConnection;
import dev.herald.server.http.HttpProblem;
import dev.herald.server.http.HttpResponses;
import dev.herald.server.http.RequestTarget;
import dev.herald.server.http.StreamRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/poll?channel=a[&channel=b…][&after=CURSOR][&timeout=SECONDS][&limit=N]}: answers at once when
 * anything after the cursor exists, else holds the request until a message arrives or the timeout passes. Without
 * {@code after}, waits for the next message. Every answer carries the cursor for the next poll.
 *
 * <p>A held poll is an entry in the hub and its connection's {@link HttpConnection} state, nothing else: the
 * server's housekeeping tick times it out, and the router tells it when its connection closes.
 */
public final class LongPollEndpoint {

    private final HeraldNode node;
    private final HeraldServerConfig config;
    private final AtomicInteger held = new AtomicInteger();
    /** One per event loop, so at most as many as the server has I/O threads. */
    private final Map<EventExecutor, LongPollSubscriber.Answers> answers = new ConcurrentHashMap<>();

    public LongPollEndpoint(HeraldNode node, HeraldServerConfig config) {
        this.node = node;
        this.config = config;
    }

    /** Polls being held now, i.e. not yet answered. */
    public int held() {
        return held.get();
    }

    public void poll(ChannelHandlerContext ctx, HttpConnection connection, boolean keepAlive,
                     RequestTarget query) {
        StreamRequest stream = StreamRequest.parse(query, query.parameter("after"), config.maxChannelsPerRequest());
        int maxSeconds = (int) config.pollTimeoutMax().toSeconds();
        int timeoutSeconds = query.intParameter("timeout", 0, maxSeconds,
                (int) config.pollTimeout().toSeconds());
        int limit = query.intParameter("limit", 1, ChannelsEndpoint.MAX_LIMIT,
                ChannelsEndpoint.DEFAULT_LIMIT);
        LongPollSubscriber subscriber = new LongPollSubscriber(ctx,
                answers.computeIfAbsent(ctx.executor(), LongPollSubscriber.Answers::new), connection, keepAlive,
                stream, limit, System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds), held);

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
            subscriber.subscribed(subscriptions);
        });
    }
}
