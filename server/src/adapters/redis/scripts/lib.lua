-- Shared prelude, prepended to every script. ARGV[1] is always the key prefix, e.g. "{mm}:".
-- Every key carries the same hash tag, so each script touches a single Redis Cluster slot.
-- Times are milliseconds since the epoch, passed in by the caller.
local P = ARGV[1]

local function key(kind, id) return P .. kind .. ':' .. id end

-- Remembers that a and b parted, for the rematch cooldown; old marks are trimmed.
local function markParted(a, b, now, cooldown)
  local k = key('cd', a)
  redis.call('ZADD', k, now, b)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now - cooldown)
  redis.call('PEXPIRE', k, cooldown)
end

-- Compare-and-set close. Returns nil unless the session was open and `by` is one of its users.
-- Tells the partner through its instance's channel unless the partner is on `inst` (the caller
-- delivers locally then). Returns {sid, a, b, mode, startedAt, endedAt, by, reason, partner, partnerInst}.
local function closeSession(sid, by, reason, now, cooldown, inst)
  local skey = key('s', sid)
  local s = redis.call('HMGET', skey, 'st', 'a', 'b', 'ia', 'ib', 'mode', 'at')
  if s[1] ~= 'open' then return nil end
  local a, b = s[2], s[3]
  if by ~= a and by ~= b then return nil end
  redis.call('HSET', skey, 'st', 'closed', 'by', by, 'reason', reason, 'end', now)
  redis.call('PEXPIRE', skey, 60000)
  for _, id in ipairs({ a, b }) do
    local ukey = key('u', id)
    if redis.call('HGET', ukey, 'sid') == sid then redis.call('HDEL', ukey, 'sid') end
  end
  if reason ~= 'disconnect' and cooldown > 0 then
    markParted(a, b, now, cooldown)
    markParted(b, a, now, cooldown)
  end
  if reason == 'report' then
    redis.call('SADD', key('blk', a), b)
    redis.call('SADD', key('blk', b), a)
    redis.call('PEXPIRE', key('blk', a), 86400000)
    redis.call('PEXPIRE', key('blk', b), 86400000)
  end
  local partner, pinst = b, s[5]
  if by == b then partner, pinst = a, s[4] end
  if pinst ~= inst then
    redis.call('PUBLISH', key('ch', pinst), cjson.encode({ k = 'left', to = partner, sid = sid, reason = reason }))
  end
  return { sid, a, b, s[6], s[7], tostring(now), by, reason, partner, pinst }
end
