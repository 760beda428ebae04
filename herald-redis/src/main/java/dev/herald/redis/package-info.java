/**
 * The Redis broker: many Herald nodes act as one. {@link dev.herald.redis.RedisBroker} keeps each channel's history
 * in a Redis stream and its epoch and offset counter in a hash, assigns ids and fans out with one Lua script per
 * publish (atomic per channel), and receives the messages of the channels this node has subscribers for over one
 * pub/sub connection. Configured by {@link dev.herald.redis.RedisBrokerConfig}; key names are in
 * {@link dev.herald.redis.RedisKeys}. This is the only module that sees Lettuce. See {@code docs/redis.md}.
 */
@NullMarked
package dev.herald.redis;

import org.jspecify.annotations.NullMarked;
