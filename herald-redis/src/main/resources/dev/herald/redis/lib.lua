-- Shared helpers, prepended to every Herald script when it is loaded (LuaScripts). Keys of one channel:
--   meta   a hash {epoch, top, oldest}: the channel's epoch, the offset of its last stored message, and a lower
--          bound of the publish time of its oldest retained message (exact after each age check)
--   stream a stream whose entry ids are <offset>-0 and whose fields are t (publish time, ms) and m (the frame).
--          Entries are only ever removed from the head, so they are the consecutive offsets top - XLEN + 1 .. top.

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

-- Drops entries published before cutoff. Usually one HGET: the stream is read only when meta's lower bound of
-- the oldest entry's time has fallen behind the cutoff (about once per history age), and then entries are dropped
-- from the head, oldest first, until a young one is found; every dropped entry is read once. Reading the head on
-- every call instead would copy a whole message (up to the size limit) per publish.
local function trim_by_age(meta, stream, cutoff, now)
  if tonumber(redis.call('HGET', meta, 'oldest') or '0') >= cutoff then
    return
  end
  while true do
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
    if #head == 0 then
      redis.call('HSET', meta, 'oldest', now)   -- whatever is appended next is at least this young
      return
    end
    local t = tonumber(head[1][2][2])
    if t >= cutoff then
      redis.call('HSET', meta, 'oldest', t)
      return
    end
    redis.call('XTRIM', stream, 'MINID', (offset_of(head[1][1]) + 1) .. '-0')
  end
end
