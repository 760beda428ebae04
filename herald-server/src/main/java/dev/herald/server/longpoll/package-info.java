/**
 * Long polling: {@code GET /v1/poll}. A held request is a one-shot subscriber that answers on the first messages,
 * on its timeout, or on shutdown. It holds no thread: a request waits as an entry in the hub and in one shared
 * timer wheel.
 */
@NullMarked
package dev.herald.server.longpoll;

import org.jspecify.annotations.NullMarked;
