-- Who is in a channel now, and the revision that list reflects.
-- KEYS: members, expiry, revision counter
-- ARGV: now (-1 = Redis time), pub/sub channel
-- Returns {revision, connection id, "<join revision> <client id>", ...}
local members, expiry, rev_key = KEYS[1], KEYS[2], KEYS[3]
expire_members(members, expiry, rev_key, ARGV[2], now_ms(ARGV[1]))
local result = {tonumber(redis.call('GET', rev_key) or '0')}
for _, v in ipairs(redis.call('HGETALL', members)) do
  result[#result + 1] = v
end
return result
