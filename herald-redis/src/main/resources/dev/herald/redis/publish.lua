-- Publishes one message, atomically: assign the offset, append to history, fan out.
-- KEYS: meta, stream
-- ARGV: now (-1 = Redis time), candidate epoch, kind (t|j|b), ephemeral (1|0), event ('' = none),
--       history size, history age ms, meta ttl ms, pub/sub channel, payload
-- Returns {epoch, offset, publish time ms}; an ephemeral message returns the channel's current offset.
local meta, stream = KEYS[1], KEYS[2]
local now = now_ms(ARGV[1])
local epoch = ensure_channel(meta, stream, ARGV[2])
local ephemeral = ARGV[4] == '1'
local size, age, meta_ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local offset
if ephemeral then
  offset = tonumber(redis.call('HGET', meta, 'top'))
else
  offset = redis.call('HINCRBY', meta, 'top', 1)
end

-- The frame every node decodes, from pub/sub and from history alike (RedisFrame):
--   "<epoch> <offset> <time> <kind><e|d> <event>\n<payload bytes>"
local frame = epoch .. ' ' .. offset .. ' ' .. now .. ' ' .. ARGV[3] .. (ephemeral and 'e' or 'd') .. ' '
    .. ARGV[5] .. '\n' .. ARGV[10]

if not ephemeral and size > 0 then
  redis.call('XADD', stream, 'MAXLEN', size, offset .. '-0', 't', now, 'm', frame)
  trim_by_age(meta, stream, now - age, now)
  -- The newest entry is the youngest: once it is older than the age bound, so is everything.
  redis.call('PEXPIRE', stream, age)
end
redis.call('PEXPIRE', meta, meta_ttl)
redis.call('PUBLISH', ARGV[9], frame)
return {epoch, offset, now}
