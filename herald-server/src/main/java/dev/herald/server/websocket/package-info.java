/**
 * WebSocket: {@code GET /v1/ws}. {@link dev.herald.server.websocket.WebSocketEndpoint} checks the origin and
 * upgrades, {@link dev.herald.server.websocket.WebSocketHandler} runs a connection's commands (subscribe,
 * unsubscribe, publish, ping), {@link dev.herald.server.websocket.WebSocketSubscriber} adapts hub deliveries to
 * frames and keeps the connection alive, {@link dev.herald.server.websocket.WebSocketCodec} turns JSON and binary
 * frames into {@link dev.herald.server.websocket.ClientCommand}s and back, and
 * {@link dev.herald.server.websocket.OriginPolicy} decides which pages may connect. The wire format is in
 * {@code docs/protocol.md}.
 */
@NullMarked
package dev.herald.server.websocket;

import org.jspecify.annotations.NullMarked;
