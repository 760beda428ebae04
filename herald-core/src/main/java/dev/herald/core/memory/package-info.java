/**
 * The default broker: history and fan-out in this process's memory, bounded per channel by count, age and bytes,
 * and node-wide by a byte budget and a channel count. Everything is lost on restart; cursors from before a restart
 * are answered with an explicit {@code stream_restarted} reset.
 */
@NullMarked
package dev.herald.core.memory;

import org.jspecify.annotations.NullMarked;
