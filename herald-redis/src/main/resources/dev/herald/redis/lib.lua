-- Shared helpers, prepended to every Herald script when it is loaded (LuaScripts). Keys of one channel:
--   meta   a hash {epoch, top}: the channel's epoch and the offset of its last stored message
--   stream a stream whose entry ids are <offset>-0 and whose fields are t (publish time, ms) and m (the frame)

-- The time to stamp and trim with: ARGV's value when the broker was given a clock, else Redis's own clock, so
-- every node of a cluster stamps messages from one time source.
local function now_ms(given)
  local n = tonumber(given)
  if n >= 0 then
    return n
  end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The channel's epoch. A channel whose meta is gone (never used, expired, flushed, evicted) starts a new life under
-- the candidate epoch drawn by the caller; a stream left without its meta belongs to the old life and is dropped, so
-- offsets never repeat within one epoch.
local function ensure_channel(meta, stream, candidate)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then
    return epoch
  end
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', candidate, 'top', 0)
  return candidate
end

-- The offset in an entry id "<offset>-0".
local function offset_of(id)
  return tonumber(string.match(id, '^(%d+)'))
end

-- Drops entries published before cutoff. Entries are in publish order, so this stops at the first young one:
-- amortised, every entry is looked at once when it is dropped, plus one look per call.
local function trim_by_age(stream, cutoff)
  while true do
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 64)
    if #head == 0 then
      return
    end
    for i, entry in ipairs(head) do
      if tonumber(entry[2][2]) >= cutoff then
        if i > 1 then
          redis.call('XTRIM', stream, 'MINID', entry[1])
        end
        return
      end
    end
    redis.call('XTRIM', stream, 'MINID', (offset_of(head[#head][1]) + 1) .. '-0')
  end
end
