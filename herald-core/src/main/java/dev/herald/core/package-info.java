/**
 * Herald's domain, free of any network library: channels ({@link dev.herald.core.ChannelId}), messages and their
 * positions ({@link dev.herald.core.Message}, {@link dev.herald.core.StreamPosition}, {@link dev.herald.core.Cursor}),
 * and the {@link dev.herald.core.HeraldNode} facade that publishes, replays history and fans messages out to
 * {@link dev.herald.core.Subscriber}s. Transports (SSE, long polling, WebSocket) are adapters that implement
 * {@code Subscriber}; nothing in this package knows which one it is talking to.
 */
@NullMarked
package dev.herald.core;

import org.jspecify.annotations.NullMarked;
