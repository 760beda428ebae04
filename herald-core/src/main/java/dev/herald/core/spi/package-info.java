/**
 * What a backend implements to carry Herald's messages: {@link dev.herald.core.spi.Broker} (append and fan out,
 * atomically per channel), {@link dev.herald.core.spi.BrokerListener} (messages coming back to this node) and
 * {@link dev.herald.core.spi.History} (reads for resume and polling). The in-memory broker and the Redis broker
 * both pass the same contract suite.
 */
@NullMarked
package dev.herald.core.spi;

import org.jspecify.annotations.NullMarked;
