-- Joins a member to a channel's presence.
-- KEYS: members, expiry, revision counter, due
-- ARGV: now (-1 = Redis time), ttl ms, max members, connection id, client id, pub/sub channel, channel name
-- Returns 'ok', 'exists' (the connection is already a member) or 'full'.
local members, expiry, rev_key, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = now_ms(ARGV[1])
local ttl, max = tonumber(ARGV[2]), tonumber(ARGV[3])
local conn, client, pubsub, channel = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
expire_members(members, expiry, rev_key, pubsub, now)
if redis.call('HEXISTS', members, conn) == 1 then
  return {'exists'}
end
if redis.call('HLEN', members) >= max then
  return {'full'}
end
add_member(members, expiry, rev_key, due, pubsub, channel, conn, client, now + ttl)
return {'ok'}
