package dev.herald.redis;

import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

import static dev.herald.core.internal.Preconditions.positive;
import static dev.herald.core.internal.Preconditions.requireArgument;

/**
 * How a {@link RedisBroker} reaches Redis and bounds what it keeps there. Immutable; {@link #toString()} redacts the
 * password, so a config may be logged.
 *
 * @param uri              where Redis is: {@code redis://[[user:]password@]host[:port][/database]}, or
 *                         {@code rediss://…} for TLS (the server certificate is verified against the JVM's trust
 *                         store). Never logged as given: see {@link #redactedUri()}
 * @param keyPrefix        prefix of every key and pub/sub channel, default {@value RedisKeys#DEFAULT_PREFIX}; lets
 *                         several Herald clusters (or tests) share one Redis
 * @param historySize      messages kept per channel, default {@value #DEFAULT_HISTORY_SIZE}; 0 keeps none (live only,
 *                         every resume is a {@code history_trimmed} reset)
 * @param historyAge       how long a message is kept, default one hour; also how long an idle channel's stream lives
 * @param metaTtl          how long a channel's epoch and offset counter outlive its last publish or read, or the last
 *                         node with subscribers to it (each renews it every quarter of this), default one
 *                         day (never less than {@code historyAge}). Within it, an old cursor gets
 *                         {@code history_trimmed}; after it, the channel starts a new epoch and the cursor gets
 *                         {@code stream_restarted}. Bounds the keys a client creates by naming channels
 * @param commandTimeout   how long a publish or history read waits for Redis before failing with 503, default 1 s
 * @param connectTimeout   how long connecting to Redis may take, default 2 s
 * @param reconnectDelayMax longest wait between reconnect attempts after Redis went away, default 1 s (attempts start
 *                         at 50 ms and double)
 * @param presenceTtl      how long a presence member outlives its node's last refresh, default 30 s: the longest a
 *                         node that died without leaving keeps its members listed (see {@link RedisPresence})
 * @param tlsCaCert        with {@code rediss://}: a PEM file of the certificates to trust for Redis's certificate
 *                         (e.g. a private CA or a self-signed certificate), or {@code null}, the default, for the
 *                         JVM's trust store
 * @param clock            time source for publish timestamps and age trimming, or {@code null} (the default) for
 *                         Redis's own clock, which keeps every node's timestamps on one clock; tests pass a manual one
 */
public record RedisBrokerConfig(
        String uri,
        String keyPrefix,
        int historySize,
        Duration historyAge,
        Duration metaTtl,
        Duration commandTimeout,
        Duration connectTimeout,
        Duration reconnectDelayMax,
        Duration presenceTtl,
        @Nullable Path tlsCaCert,
        @Nullable Clock clock) {

    public static final int DEFAULT_HISTORY_SIZE = 1000;
    public static final Duration DEFAULT_HISTORY_AGE = Duration.ofHours(1);
    public static final Duration DEFAULT_META_TTL = Duration.ofDays(1);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RECONNECT_DELAY_MAX = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(30);

    public RedisBrokerConfig {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        String scheme = scheme(uri);
        requireArgument(scheme.equals("redis") || scheme.equals("rediss"),
                "Redis URI must start with redis:// or rediss:// (TLS): " + redact(uri));
        try {
            RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            // Lettuce's message may quote the URI; ours names it redacted.
            throw new IllegalArgumentException("not a valid Redis URI: " + redact(uri));
        }
        String prefixProblem = RedisKeys.prefixProblem(keyPrefix);
        requireArgument(prefixProblem == null, String.valueOf(prefixProblem));
        requireArgument(historySize >= 0, "history size must not be negative: " + historySize);
        requireArgument(positive(historyAge), "history age must be positive: " + historyAge);
        requireArgument(positive(metaTtl), "meta TTL must be positive: " + metaTtl);
        requireArgument(positive(commandTimeout), "command timeout must be positive: " + commandTimeout);
        requireArgument(positive(connectTimeout), "connect timeout must be positive: " + connectTimeout);
        requireArgument(positive(reconnectDelayMax), "reconnect delay must be positive: " + reconnectDelayMax);
        requireArgument(presenceTtl.compareTo(Duration.ofSeconds(1)) >= 0,
                "presence TTL must be at least 1 s: " + presenceTtl);
    }

    /** A config for {@code uri} with every other setting at its default. */
    public static RedisBrokerConfig of(String uri) {
        return builder(uri).build();
    }

    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether {@code text} names a Redis broker ({@code redis://} or {@code rediss://}). */
    public static boolean isRedisUri(String text) {
        String scheme = scheme(text);
        return scheme.equals("redis") || scheme.equals("rediss");
    }

    /** The URI with its password replaced by {@code ***}: the only form of it Herald ever logs or prints. */
    public String redactedUri() {
        return redact(uri);
    }

    /**
     * {@code uri} with the password in its user info replaced by {@code ***}. Lettuce reads a user info without
     * {@code :} as a password alone, so that is redacted whole; so is a user info with unescaped {@code @} or
     * {@code /} in it.
     */
    public static String redact(String uri) {
        int schemeEnd = uri.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        // The last '@' anywhere, not only before the first '/': an unescaped '/' or '@' in a password must not
        // leave part of it in the log. Redacting too much is harmless; too little is not.
        int at = uri.lastIndexOf('@');
        if (at < start) {
            return uri;
        }
        String userInfo = uri.substring(start, at);
        int colon = userInfo.indexOf(':');
        String redacted = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return uri.substring(0, start) + redacted + uri.substring(at);
    }

    /** The effective meta TTL: never shorter than the history it describes. */
    Duration effectiveMetaTtl() {
        return metaTtl.compareTo(historyAge) < 0 ? historyAge : metaTtl;
    }

    @Override
    public String toString() {
        return "RedisBrokerConfig[uri=" + redactedUri() + ", keyPrefix=" + keyPrefix + ", historySize=" + historySize
                + ", historyAge=" + historyAge + ", metaTtl=" + metaTtl + ", commandTimeout=" + commandTimeout
                + ", connectTimeout=" + connectTimeout + ", reconnectDelayMax=" + reconnectDelayMax
                + ", presenceTtl=" + presenceTtl + (tlsCaCert == null ? "" : ", tlsCaCert=" + tlsCaCert)
                + ", clock=" + (clock == null ? "redis" : clock) + "]";
    }

    private static String scheme(String uri) {
        int colon = uri.indexOf("://");
        return colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** Builds a {@link RedisBrokerConfig}; starts from the defaults. */
    public static final class Builder {
        private String uri;
        private String keyPrefix = RedisKeys.DEFAULT_PREFIX;
        private int historySize = DEFAULT_HISTORY_SIZE;
        private Duration historyAge = DEFAULT_HISTORY_AGE;
        private Duration metaTtl = DEFAULT_META_TTL;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration reconnectDelayMax = DEFAULT_RECONNECT_DELAY_MAX;
        private Duration presenceTtl = DEFAULT_PRESENCE_TTL;
        private @Nullable Path tlsCaCert;
        private @Nullable Clock clock;

        private Builder(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        private Builder(RedisBrokerConfig c) {
            uri = c.uri; keyPrefix = c.keyPrefix; historySize = c.historySize; historyAge = c.historyAge;
            metaTtl = c.metaTtl; commandTimeout = c.commandTimeout; connectTimeout = c.connectTimeout;
            reconnectDelayMax = c.reconnectDelayMax; presenceTtl = c.presenceTtl; tlsCaCert = c.tlsCaCert;
            clock = c.clock;
        }

        public Builder uri(String v) { uri = v; return this; }
        public Builder keyPrefix(String v) { keyPrefix = v; return this; }
        public Builder historySize(int v) { historySize = v; return this; }
        public Builder historyAge(Duration v) { historyAge = v; return this; }
        public Builder metaTtl(Duration v) { metaTtl = v; return this; }
        public Builder commandTimeout(Duration v) { commandTimeout = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder reconnectDelayMax(Duration v) { reconnectDelayMax = v; return this; }
        public Builder presenceTtl(Duration v) { presenceTtl = v; return this; }
        public Builder tlsCaCert(@Nullable Path v) { tlsCaCert = v; return this; }
        public Builder clock(@Nullable Clock v) { clock = v; return this; }

        public RedisBrokerConfig build() {
            return new RedisBrokerConfig(uri, keyPrefix, historySize, historyAge, metaTtl, commandTimeout,
                    connectTimeout, reconnectDelayMax, presenceTtl, tlsCaCert, clock);
        }
    }
}
