package dev.herald.server;

import dev.herald.core.memory.InMemoryBroker;
import dev.herald.redis.RedisBrokerConfig;
import dev.herald.core.memory.InMemoryPresence;
import dev.herald.server.websocket.OriginPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

import static dev.herald.core.internal.Preconditions.positive;
import static dev.herald.core.internal.Preconditions.requireArgument;

/**
 * Everything a {@link HeraldServer} can be told, immutable. Each limit sits next to its default and the abuse it
 * stops; {@code ./herald serve --help} lists the same settings.
 *
 * @param host                   interface to bind, default {@value #DEFAULT_HOST}
 * @param port                   TCP port, default {@value #DEFAULT_PORT}; 0 picks a free one
 * @param ioThreads              Netty event-loop threads, default one per core
 * @param historySize            messages kept per channel
 * @param historyAge             how long a message is kept
 * @param historyBytes           bytes kept per channel
 * @param historyTotalBytes      bytes kept across all channels (bounds the heap used by history)
 * @param maxChannels            channels a node holds at once (clients create channels by naming them)
 * @param maxMessageBytes        largest accepted payload, default 64 KiB; larger gets 413 (stops heap abuse)
 * @param maxChannelsPerRequest  channels one SSE stream or poll may name, default {@value #DEFAULT_MAX_CHANNELS_PER_REQUEST}
 * @param sseKeepAlive           SSE comment interval on an idle stream, default 15 s (below common proxy idle timeouts)
 * @param sseRetry               the {@code retry:} reconnect hint sent to EventSource, default 2 s
 * @param pollTimeout            how long a long poll is held when it asks for no timeout, default 30 s
 * @param pollTimeoutMax         the longest a client may ask a poll to be held, default 120 s
 * @param maxOutboundBytes       bytes queued for one connection beyond what the kernel holds, default 1 MiB; more
 *                               closes it as a slow consumer, so one stalled reader cannot grow the heap
 * @param requestTimeout         a connection that sends no complete request for this long is closed (slowloris)
 * @param shutdownGrace          how long a graceful shutdown waits for connections to finish
 * @param redis                  the Redis broker (with its own history bounds) that makes this node one of a
 *                               cluster, or {@code null}, the default, for the in-memory broker with the history
 *                               bounds above; see docs/redis.md. Its {@code toString} hides the password
 * @param wsPingInterval         how often a WebSocket is pinged, default 15 s (below common proxy idle timeouts)
 * @param wsPingTimeout          a WebSocket that answers nothing this long after a ping is closed (4009), default
 *                               10 s; a dead peer is found within interval + timeout and its presence leaves
 * @param wsMaxSubscriptions     channels one WebSocket may subscribe to at once, default
 *                               {@value #DEFAULT_WS_MAX_SUBSCRIPTIONS}; bounds the hub state one connection holds
 * @param wsCompression          offer permessage-deflate (RFC 7692), default off: it costs a deflate context per
 *                               connection and CPU per frame, and pays only for large, repetitive payloads
 * @param allowedOrigins         origins allowed to open a WebSocket besides the page's own (the {@code Host});
 *                               {@code *} allows any. Stops a foreign page riding a user's cookies (CSWSH)
 * @param presenceMaxMembers     members one channel's presence may hold, default 1000; every join and leave is an
 *                               event for every presence subscriber, so this bounds the n² fan-out of a busy room
 * @param demo                   run the demo publishers ({@code dev.herald.server.demo}) feeding the pages under
 *                               {@code /} on {@code demo.*} channels; default off here, on for {@code herald serve}
 *                               (turn off with {@code --no-demo})
 */
public record HeraldServerConfig(
        String host,
        int port,
        int ioThreads,
        int historySize,
        Duration historyAge,
        long historyBytes,
        long historyTotalBytes,
        int maxChannels,
        int maxMessageBytes,
        int maxChannelsPerRequest,
        Duration sseKeepAlive,
        Duration sseRetry,
        Duration pollTimeout,
        Duration pollTimeoutMax,
        int maxOutboundBytes,
        Duration requestTimeout,
        Duration shutdownGrace,
        Duration wsPingInterval,
        Duration wsPingTimeout,
        int wsMaxSubscriptions,
        boolean wsCompression,
        List<String> allowedOrigins,
        int presenceMaxMembers,
        @Nullable RedisBrokerConfig redis,
        boolean demo) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_CHANNELS_PER_REQUEST = 16;
    public static final Duration DEFAULT_SSE_KEEP_ALIVE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_SSE_RETRY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_POLL_TIMEOUT_MAX = Duration.ofSeconds(120);
    public static final int DEFAULT_MAX_OUTBOUND_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WS_PING_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_WS_PING_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_WS_MAX_SUBSCRIPTIONS = 100;
    public static final int DEFAULT_PRESENCE_MAX_MEMBERS = InMemoryPresence.DEFAULT_MAX_MEMBERS;

    public HeraldServerConfig {
        Objects.requireNonNull(host, "host");
        requireArgument(port >= 0 && port <= 65535, "port must be 0-65535: " + port);
        requireArgument(ioThreads >= 1, "io threads must be at least 1: " + ioThreads);
        requireArgument(historySize >= 0, "history size must not be negative: " + historySize);
        requireArgument(positive(historyAge), "history age must be positive: " + historyAge);
        requireArgument(historyBytes >= 0, "history bytes must not be negative: " + historyBytes);
        requireArgument(historyTotalBytes >= 0, "history total bytes must not be negative: " + historyTotalBytes);
        requireArgument(maxChannels >= 1, "max channels must be at least 1: " + maxChannels);
        requireArgument(maxMessageBytes >= 1, "max message bytes must be at least 1: " + maxMessageBytes);
        requireArgument(maxChannelsPerRequest >= 1,
                "max channels per request must be at least 1: " + maxChannelsPerRequest);
        requireArgument(positive(sseKeepAlive), "SSE keep-alive must be positive: " + sseKeepAlive);
        requireArgument(positive(sseRetry), "SSE retry must be positive: " + sseRetry);
        requireArgument(positive(pollTimeout), "poll timeout must be positive: " + pollTimeout);
        requireArgument(pollTimeoutMax.compareTo(pollTimeout) >= 0,
                "poll timeout cap " + pollTimeoutMax + " is below the default poll timeout " + pollTimeout);
        requireArgument(maxOutboundBytes >= 1024, "max outbound bytes must be at least 1024: " + maxOutboundBytes);
        // Else one message of the largest allowed size would close every subscriber as a slow consumer.
        requireArgument(maxOutboundBytes >= maxMessageBytes + 1024L, "max outbound bytes " + maxOutboundBytes
                + " must exceed the max message size " + maxMessageBytes + " by at least 1024 (framing)");
        requireArgument(positive(requestTimeout), "request timeout must be positive: " + requestTimeout);
        requireArgument(!shutdownGrace.isNegative(), "shutdown grace must not be negative: " + shutdownGrace);
        requireArgument(positive(wsPingInterval), "WebSocket ping interval must be positive: " + wsPingInterval);
        requireArgument(positive(wsPingTimeout), "WebSocket ping timeout must be positive: " + wsPingTimeout);
        requireArgument(wsMaxSubscriptions >= 1,
                "max WebSocket subscriptions must be at least 1: " + wsMaxSubscriptions);
        allowedOrigins = List.copyOf(allowedOrigins);
        for (String origin : allowedOrigins) {
            String problem = OriginPolicy.problem(origin);
            requireArgument(problem == null, "allowed origin '" + origin + "': " + problem);
        }
        requireArgument(presenceMaxMembers >= 1, "presence max members must be at least 1: " + presenceMaxMembers);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link HeraldServerConfig}; starts from the defaults. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int historySize = InMemoryBroker.DEFAULT_HISTORY_SIZE;
        private Duration historyAge = InMemoryBroker.DEFAULT_HISTORY_AGE;
        private long historyBytes = InMemoryBroker.DEFAULT_HISTORY_BYTES;
        private long historyTotalBytes = InMemoryBroker.DEFAULT_MAX_TOTAL_BYTES;
        private int maxChannels = InMemoryBroker.DEFAULT_MAX_CHANNELS;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxChannelsPerRequest = DEFAULT_MAX_CHANNELS_PER_REQUEST;
        private Duration sseKeepAlive = DEFAULT_SSE_KEEP_ALIVE;
        private Duration sseRetry = DEFAULT_SSE_RETRY;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration pollTimeoutMax = DEFAULT_POLL_TIMEOUT_MAX;
        private int maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private @Nullable RedisBrokerConfig redis;
        private Duration wsPingInterval = DEFAULT_WS_PING_INTERVAL;
        private Duration wsPingTimeout = DEFAULT_WS_PING_TIMEOUT;
        private int wsMaxSubscriptions = DEFAULT_WS_MAX_SUBSCRIPTIONS;
        private boolean wsCompression;
        private List<String> allowedOrigins = List.of();
        private int presenceMaxMembers = DEFAULT_PRESENCE_MAX_MEMBERS;
        private boolean demo;

        private Builder() {
        }

        private Builder(HeraldServerConfig c) {
            host = c.host; port = c.port; ioThreads = c.ioThreads; historySize = c.historySize;
            historyAge = c.historyAge; historyBytes = c.historyBytes; historyTotalBytes = c.historyTotalBytes;
            maxChannels = c.maxChannels; maxMessageBytes = c.maxMessageBytes;
            maxChannelsPerRequest = c.maxChannelsPerRequest; sseKeepAlive = c.sseKeepAlive; sseRetry = c.sseRetry;
            pollTimeout = c.pollTimeout; pollTimeoutMax = c.pollTimeoutMax; maxOutboundBytes = c.maxOutboundBytes;
            requestTimeout = c.requestTimeout; shutdownGrace = c.shutdownGrace;
            redis = c.redis;
            wsPingInterval = c.wsPingInterval; wsPingTimeout = c.wsPingTimeout;
            wsMaxSubscriptions = c.wsMaxSubscriptions; wsCompression = c.wsCompression;
            allowedOrigins = c.allowedOrigins; presenceMaxMembers = c.presenceMaxMembers;
            demo = c.demo;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder historySize(int v) { historySize = v; return this; }
        public Builder historyAge(Duration v) { historyAge = v; return this; }
        public Builder historyBytes(long v) { historyBytes = v; return this; }
        public Builder historyTotalBytes(long v) { historyTotalBytes = v; return this; }
        public Builder maxChannels(int v) { maxChannels = v; return this; }
        public Builder maxMessageBytes(int v) { maxMessageBytes = v; return this; }
        public Builder maxChannelsPerRequest(int v) { maxChannelsPerRequest = v; return this; }
        public Builder sseKeepAlive(Duration v) { sseKeepAlive = v; return this; }
        public Builder sseRetry(Duration v) { sseRetry = v; return this; }
        public Builder pollTimeout(Duration v) { pollTimeout = v; return this; }
        public Builder pollTimeoutMax(Duration v) { pollTimeoutMax = v; return this; }
        public Builder maxOutboundBytes(int v) { maxOutboundBytes = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }
        public Builder redis(@Nullable RedisBrokerConfig v) { redis = v; return this; }
        public Builder wsPingInterval(Duration v) { wsPingInterval = v; return this; }
        public Builder wsPingTimeout(Duration v) { wsPingTimeout = v; return this; }
        public Builder wsMaxSubscriptions(int v) { wsMaxSubscriptions = v; return this; }
        public Builder wsCompression(boolean v) { wsCompression = v; return this; }
        public Builder allowedOrigins(List<String> v) { allowedOrigins = List.copyOf(v); return this; }
        public Builder presenceMaxMembers(int v) { presenceMaxMembers = v; return this; }
        public Builder demo(boolean v) { demo = v; return this; }

        public HeraldServerConfig build() {
            return new HeraldServerConfig(host, port, ioThreads, historySize, historyAge, historyBytes,
                    historyTotalBytes, maxChannels, maxMessageBytes, maxChannelsPerRequest, sseKeepAlive, sseRetry,
                    pollTimeout, pollTimeoutMax, maxOutboundBytes, requestTimeout, shutdownGrace, wsPingInterval,
                    wsPingTimeout, wsMaxSubscriptions, wsCompression, allowedOrigins, presenceMaxMembers, redis, demo);
        }
    }
}
