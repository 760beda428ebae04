package dev.herald.server;

import dev.herald.core.HeraldNode;
import dev.herald.core.memory.InMemoryBroker;
import dev.herald.core.memory.InMemoryPresence;
import dev.herald.redis.RedisBroker;
import dev.herald.redis.RedisPresence;
import dev.herald.server.demo.DemoPublishers;
import dev.herald.server.http.ChannelsEndpoint;
import dev.herald.server.http.HeraldServerInitializer;
import dev.herald.server.http.HttpRouter;
import dev.herald.server.http.HttpConnections;
import dev.herald.server.internal.LiveConnections;
import dev.herald.server.longpoll.LongPollEndpoint;
import dev.herald.server.sse.SseEndpoint;
import dev.herald.server.websocket.WebSocketEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Herald: Netty server, node, and the shared timers. {@link #start} binds; {@link #close} shuts down
 * gracefully: stop accepting, tell every held client to reconnect (SSE streams end, held polls are answered), wait
 * up to the grace period for connections to finish, then stop.
 */
public final class HeraldServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);

    private final HeraldServerConfig config;
    private final HeraldNode node;
    /** The in-memory broker, swept periodically; {@code null} with Redis, which trims and expires by itself. */
    private final @Nullable InMemoryBroker memory;
    private final EventLoopGroup group;
    private final LiveConnections live = new LiveConnections();
    private final LongPollEndpoint polls;
    private final HttpConnections connections = new HttpConnections();
    private final Channel serverChannel;
    private final ScheduledFuture<?> housekeeping;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final @Nullable DemoPublishers demo;

    private HeraldServer(HeraldServerConfig config) throws InterruptedException {
        this.config = config;
        HeraldNode.Builder nodeBuilder = HeraldNode.builder();
        if (config.redis() != null) {
            this.memory = null;
            RedisBroker redis = RedisBroker.create(config.redis());   // fails when Redis cannot be reached
            nodeBuilder.broker(redis).presence(RedisPresence.create(redis, config.presenceMaxMembers()));
        } else {
            this.memory = InMemoryBroker.builder()
                    .historySize(config.historySize())
                    .historyAge(config.historyAge())
                    .historyBytes(config.historyBytes())
                    .maxTotalBytes(config.historyTotalBytes())
                    .maxChannels(config.maxChannels())
                    .build();
            nodeBuilder.broker(memory)
                    .presence(InMemoryPresence.builder().maxMembers(config.presenceMaxMembers()).build());
        }
        this.node = nodeBuilder.build();
        boolean epoll = Epoll.isAvailable();
        DefaultThreadFactory threads = new DefaultThreadFactory("herald-io", true);
        this.group = epoll ? new EpollEventLoopGroup(config.ioThreads(), threads)
                : new NioEventLoopGroup(config.ioThreads(), threads);
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;

        HttpRouter router = new HttpRouter(node, live,
                new ChannelsEndpoint(node),
                new SseEndpoint(node, config, live),
                polls = new LongPollEndpoint(node, config),
                new WebSocketEndpoint(node, config, live));
        int high = config.maxOutboundBytes();
        this.serverChannel = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                // One allocator for all connections (each still gets its own handle): Netty's default gives every
                // connection an allocator object of its own, 40 bytes on each idle stream.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childHandler(new HeraldServerInitializer(config, router, connections))
                .bind(config.host(), config.port())
                .sync()
                .channel();

        // One task drives SSE keep-alives, WebSocket pings and ping timeouts, poll and request timeouts. It visits
        // each connection every `tick` (a third of the shortest of those intervals, at most a second), one slice of
        // the connections at a time, at most every 100 ms: the keep-alives and poll answers that fall due leave in
        // small bursts.
        long shortest = Math.min(Math.min(config.sseKeepAlive().toMillis(), config.requestTimeout().toMillis()),
                Math.min(config.wsPingInterval().toMillis(), config.wsPingTimeout().toMillis()));
        long tick = Math.max(50, Math.min(1000, shortest / 3));
        int parts = (int) Math.max(1, Math.min(LiveConnections.SLICES, tick / 100));
        long period = tick / parts;
        long sweepEvery = Math.max(1, Math.min(10_000, config.historyAge().toMillis() / 4) / period);
        long nodeSweepEvery = Math.max(1, 1000 / period);
        long requestTimeout = config.requestTimeout().toNanos();
        long[] runs = {0};
        this.housekeeping = group.next().scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long run = runs[0]++;
            int part = (int) (run % parts);
            live.tick(now, part, parts);
            connections.tick(now, requestTimeout, part, parts);
            if ((run + 1) % sweepEvery == 0 && memory != null) {
                memory.sweep();
            }
            if ((run + 1) % nodeSweepEvery == 0) {
                node.sweep();
            }
        }, period, period, TimeUnit.MILLISECONDS);
        log.info("Herald {} on {} ({} I/O threads, {}, broker {})", version(), serverChannel.localAddress(),
                config.ioThreads(), epoll ? "epoll" : "nio",
                config.redis() == null ? "in-memory" : config.redis().redactedUri());
        this.demo = config.demo() ? DemoPublishers.start(node, java.time.Clock.systemUTC()) : null;
    }

    /** Binds and starts a server; throws if the address cannot be bound. */
    public static HeraldServer start(HeraldServerConfig config) {
        try {
            return new HeraldServer(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    public HeraldNode node() {
        return node;
    }

    public HeraldServerConfig config() {
        return config;
    }

    /** Graceful shutdown, bounded by the configured grace period. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        log.info("shutting down: {} connections, {} held", connections.size(), live.size());
        serverChannel.close().awaitUninterruptibly();
        housekeeping.cancel(false);
        if (demo != null) {
            demo.close();
        }
        live.shutdownAll();
        connections.shutdownHeld();
        awaitConnections(deadline);
        connections.closeAll(Math.max(0, remaining(deadline)));
        node.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        log.info("stopped");
    }

    private void awaitConnections(long deadline) {
        // Clients that were told to reconnect close their side; wait for that, then close the rest ourselves.
        while (remaining(deadline) > 0 && live.size() + polls.held() > 0) {
            connections.awaitAllClosed(Math.min(50, Duration.ofNanos(remaining(deadline)).toMillis() + 1));
        }
    }

    private static long remaining(long deadline) {
        return deadline - System.nanoTime();
    }

    static String version() {
        String version = HeraldServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
