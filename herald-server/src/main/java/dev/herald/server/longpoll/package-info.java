/**
 * Long polling: {@code GET /v1/poll}. A held request is a one-shot subscriber that answers on the first messages,
 * on its timeout, or on shutdown. It holds no thread and no timer: a request waits as an entry in the hub, reachable
 * from its connection, whose housekeeping tick times it out.
 */
@NullMarked
package dev.herald.server.longpoll;

import org.jspecify.annotations.NullMarked;
