-- Expires the members of channels that are due, cluster-wide; every node runs it periodically, and concurrent runs
-- are harmless (each is atomic; the second finds nothing). Reaches channel keys named from "due", which a
-- standalone Redis allows (not Redis Cluster).
-- KEYS: revision counter, due
-- ARGV: now (-1 = Redis time), key prefix, most channels per run
local rev_key, due = KEYS[1], KEYS[2]
local now = now_ms(ARGV[1])
local prefix = ARGV[2]
local channels = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, channel in ipairs(channels) do
  local base = prefix .. '{' .. channel .. '}'
  local members, expiry = base .. ':presence', base .. ':presence:exp'
  expire_members(members, expiry, rev_key, base .. ':msg', now)
  local first = redis.call('ZRANGE', expiry, 0, 0, 'WITHSCORES')
  if #first == 0 then
    redis.call('ZREM', due, channel)
    redis.call('DEL', members)
  else
    redis.call('ZADD', due, first[2], channel)
  end
end
return {#channels}
