-- A node's heartbeat for its members of one channel: extends each one's expiry, and adds back (announcing a join)
-- any that Redis no longer holds (it restarted empty, or the node was cut off for longer than the TTL).
-- KEYS: members, expiry, revision counter, due
-- ARGV: now (-1 = Redis time), ttl ms, pub/sub channel, channel name, then connection id, client id pairs
local members, expiry, rev_key, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = now_ms(ARGV[1])
local deadline = now + tonumber(ARGV[2])
local pubsub, channel = ARGV[3], ARGV[4]
expire_members(members, expiry, rev_key, pubsub, now)
for i = 5, #ARGV, 2 do
  local conn, client = ARGV[i], ARGV[i + 1]
  if redis.call('HEXISTS', members, conn) == 1 then
    redis.call('ZADD', expiry, 'XX', deadline, conn)
  else
    add_member(members, expiry, rev_key, due, pubsub, channel, conn, client, deadline)
  end
end
return {'ok'}
