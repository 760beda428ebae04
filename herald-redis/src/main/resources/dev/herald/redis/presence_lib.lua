-- Presence helpers, prepended to the presence scripts after lib.lua. Keys of one channel:
--   members  a hash connection id -> "<join revision> <client id>"
--   expiry   a sorted set connection id -> the time (ms) its node must have refreshed it by
-- and, shared by all channels: a revision counter (never expires, so revisions only grow) and "due", a sorted set
-- channel -> the earliest expiry among its members, which the periodic sweep walks.
-- A change is published on the channel's message pub/sub channel as "!<revision> <j|l> <connection> <client>".

local function announce(pubsub, revision, action, conn, client)
  redis.call('PUBLISH', pubsub, '!' .. revision .. ' ' .. action .. ' ' .. conn .. ' ' .. client)
end

-- Removes members whose node stopped refreshing them (it died or lost Redis for longer than the TTL), announcing
-- each as a leave.
local function expire_members(members, expiry, rev_key, pubsub, now)
  for _, conn in ipairs(redis.call('ZRANGEBYSCORE', expiry, '-inf', now)) do
    local value = redis.call('HGET', members, conn)
    redis.call('HDEL', members, conn)
    redis.call('ZREM', expiry, conn)
    if value then
      announce(pubsub, redis.call('INCR', rev_key), 'l', conn, string.match(value, ' (.*)$'))
    end
  end
end

-- Adds a member and announces it; returns its revision.
local function add_member(members, expiry, rev_key, due, pubsub, channel, conn, client, deadline)
  local revision = redis.call('INCR', rev_key)
  redis.call('HSET', members, conn, revision .. ' ' .. client)
  redis.call('ZADD', expiry, deadline, conn)
  redis.call('ZADD', due, 'LT', deadline, channel)
  announce(pubsub, revision, 'j', conn, client)
  return revision
end
