-- Removes a member from a channel's presence; a member that is not there is ignored.
-- KEYS: members, expiry, revision counter, due
-- ARGV: connection id, pub/sub channel, channel name
local members, expiry, rev_key, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local conn, pubsub, channel = ARGV[1], ARGV[2], ARGV[3]
local value = redis.call('HGET', members, conn)
if value then
  redis.call('HDEL', members, conn)
  redis.call('ZREM', expiry, conn)
  announce(pubsub, redis.call('INCR', rev_key), 'l', conn, string.match(value, ' (.*)$'))
end
if redis.call('HLEN', members) == 0 then
  redis.call('DEL', members, expiry)
  redis.call('ZREM', due, channel)
end
return {'ok'}
