package dev.herald.redis;

import dev.herald.core.ChannelId;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Where a channel lives in Redis: every key and pub/sub channel name Herald uses, in one place. Immutable.
 *
 * <p>For a channel {@code news} and the default prefix {@code herald:}:
 * <ul>
 *   <li>{@code herald:{news}:meta} — a hash {@code {epoch, top}}: the channel's epoch and the offset of its last
 *       stored message. Expires {@code metaTtl} after the channel was last used or watched by a node.</li>
 *   <li>{@code herald:{news}:stream} — a stream of the retained messages; entry ids are {@code <offset>-0}, so a
 *       read after an offset is a seek, not a scan. Expires {@code historyAge} after the last publish.</li>
 *   <li>{@code herald:{news}:msg} — the pub/sub channel every message (and every presence change, as a frame
 *       starting with {@code !}) is published to.</li>
 *   <li>{@code herald:{news}:presence} and {@code herald:{news}:presence:exp} — the channel's presence members and
 *       when each expires unless its node refreshes it; {@code herald:presence:revision} and
 *       {@code herald:presence:due} are shared by all channels (see {@link RedisPresence}).</li>
 * </ul>
 * The channel name sits in a hash tag ({@code {…}}), so a channel's keys share one Redis Cluster slot, as a script's
 * keys must. Channel names cannot contain braces ({@link ChannelId}), so the tag is always the whole name.
 */
public final class RedisKeys {

    /** Default prefix of every key and pub/sub channel. */
    public static final String DEFAULT_PREFIX = "herald:";

    /** Longest accepted prefix. */
    public static final int MAX_PREFIX_LENGTH = 64;

    private static final String META = ":meta";
    private static final String STREAM = ":stream";
    private static final String PUBSUB = ":msg";
    private static final String PRESENCE = ":presence";

    private final String prefix;

    private RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** Keys under {@code prefix}; throws {@link IllegalArgumentException} when the prefix is not acceptable. */
    public static RedisKeys of(String prefix) {
        String problem = prefixProblem(prefix);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new RedisKeys(prefix);
    }

    /** Why {@code prefix} is not an acceptable key prefix, or {@code null} when it is. */
    public static @Nullable String prefixProblem(String prefix) {
        if (prefix.length() > MAX_PREFIX_LENGTH) {
            return "key prefix is " + prefix.length() + " characters; at most " + MAX_PREFIX_LENGTH + " are allowed";
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c <= ' ' || c >= 127 || c == '{' || c == '}') {
                return "key prefix has an invalid character at index " + i
                        + "; use printable ASCII without spaces or braces";
            }
        }
        return null;
    }

    public String prefix() {
        return prefix;
    }

    /** The channel's meta hash. */
    public String meta(ChannelId channel) {
        return prefix + '{' + channel.value() + '}' + META;
    }

    /** The channel's history stream. */
    public String stream(ChannelId channel) {
        return prefix + '{' + channel.value() + '}' + STREAM;
    }

    /** The pub/sub channel the channel's messages are published to. */
    public String pubSub(ChannelId channel) {
        return prefix + '{' + channel.value() + '}' + PUBSUB;
    }

    /** The hash of the channel's presence members: connection id → {@code "<join revision> <client id>"}. */
    public String presence(ChannelId channel) {
        return prefix + '{' + channel.value() + '}' + PRESENCE;
    }

    /** The sorted set of when each presence member of the channel expires unless its node refreshes it. */
    public String presenceExpiry(ChannelId channel) {
        return prefix + '{' + channel.value() + '}' + PRESENCE + ":exp";
    }

    /** The counter every presence change of every channel takes its revision from; it never expires. */
    public String presenceRevision() {
        return prefix + "presence:revision";
    }

    /** The sorted set of channels with presence members, scored by their earliest expiry, for the sweep. */
    public String presenceDue() {
        return prefix + "presence:due";
    }

    /** The channel whose pub/sub channel is {@code name}, or {@code null} when {@code name} is not one of ours. */
    public @Nullable ChannelId channelOfPubSub(String name) {
        int start = prefix.length() + 1;
        int end = name.length() - PUBSUB.length() - 1;
        if (end <= start || !name.startsWith(prefix) || name.charAt(start - 1) != '{' || name.charAt(end) != '}'
                || !name.endsWith(PUBSUB)) {
            return null;
        }
        String channel = name.substring(start, end);
        return ChannelId.problem(channel) == null ? ChannelId.of(channel) : null;
    }

    static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RedisKeys[" + prefix + "]";
    }
}
