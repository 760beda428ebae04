-- Reads a channel's history after a position, deciding gaps exactly as the in-memory HistoryBuffer does.
-- KEYS: meta, stream
-- ARGV: now (-1 = Redis time), candidate epoch, history age ms, meta ttl ms,
--       since epoch ('' = from the oldest retained, never a gap), since offset, limit
-- Returns {epoch, top, gap ('' | history_trimmed | stream_restarted | cursor_ahead), more (0|1), frame...}
local meta, stream = KEYS[1], KEYS[2]
local now = now_ms(ARGV[1])
-- A read creates the channel too: a live-only subscriber learns the top (epoch, 0) before the first publish, and
-- that publish must carry the same epoch.
local epoch = ensure_channel(meta, stream, ARGV[2])
local age, meta_ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local since_epoch, since_offset, limit = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])

trim_by_age(meta, stream, now - age, now)
redis.call('PEXPIRE', meta, meta_ttl)

local top = tonumber(redis.call('HGET', meta, 'top'))
-- Consecutive offsets (see lib.lua), so the oldest needs no read of the head entry.
local oldest = top - redis.call('XLEN', stream) + 1

local gap = ''
local after
if since_epoch == '' then
  after = oldest - 1
elseif since_epoch ~= epoch then
  gap = 'stream_restarted'
  after = oldest - 1
elseif since_offset > top then
  gap = 'cursor_ahead'
  after = oldest - 1
elseif since_offset < oldest - 1 then
  gap = 'history_trimmed'
  after = oldest - 1
else
  after = since_offset
end

local available = top - after
local count = math.min(available, limit)
local result = {epoch, top, gap, (available > count) and 1 or 0}
if count > 0 then
  for _, entry in ipairs(redis.call('XRANGE', stream, (after + 1) .. '-0', '+', 'COUNT', count)) do
    result[#result + 1] = entry[2][4]
  end
end
return result
