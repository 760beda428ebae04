/**
 * Server-Sent Events: {@code GET /v1/sse}. {@link dev.herald.server.sse.SseEndpoint} opens the stream,
 * {@link dev.herald.server.sse.SseSubscriber} adapts hub deliveries to it, {@link dev.herald.server.sse.SseFormat}
 * encodes events.
 */
@NullMarked
package dev.herald.server.sse;

import org.jspecify.annotations.NullMarked;
