-- Shared prelude, prepended to every script. ARGV[1] is always the key prefix, e.g. "{mm}:".
-- Every key carries the same hash tag, so each script touches a single Redis Cluster slot.
-- Times are milliseconds since the epoch, passed in by the caller.
local P = ARGV[1]

local function key(kind, id) return P .. kind .. ':' .. id end

-- The journal: what must reach PostgreSQL, written in the same atomic step as the change itself,
-- so an instance that dies right after a script loses nothing (recorders read it with XREADGROUP).
local function journal(entry) redis.call('XADD', P .. 'journal', '*', 'e', cjson.encode(entry)) end

-- The interest index: per mode and tag, the waiting users who named that tag (a zset scored by
-- `since`, as the queue), so a claim finds everyone sharing one of its tags however deep they wait.
local function tagKey(mode, tag) return P .. 'qi:' .. mode .. ':' .. tag end

-- Takes a user out of the queue of its mode and out of the interest index (`ints` "\n"-joined).
local function dequeue(uid, mode, ints)
  if not mode then return end
  redis.call('ZREM', key('q', mode), uid)
  for t in string.gmatch(ints or '', '[^\n]+') do redis.call('ZREM', tagKey(mode, t), uid) end
end

-- Remembers that a and b parted, for the rematch cooldown; old marks are trimmed.
local function markParted(a, b, now, cooldown)
  local k = key('cd', a)
  redis.call('ZADD', k, now, b)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now - cooldown)
  redis.call('PEXPIRE', k, cooldown)
end

-- Compare-and-set close. Returns nil unless the session is open and `by` is one of its users.
-- `system` (optional) names the system closing it instead: then `by` is '' (nobody in particular)
-- or the member it closes on behalf of, and both users are told, since neither asked for it: the
-- member named hears `mediaLeft` (its own media left), any other user `left`.
-- Users are told through their instance's channel unless they are on `inst` (the caller delivers
-- locally then). Returns {sid, a, b, mode, startedAt, endedAt, endedBy, reason, partner,
-- partnerInst}, plus {other, otherInst} for a system close: the member `by` names, or `a`.
local function closeSession(sid, by, reason, now, cooldown, inst, system)
  local skey = key('s', sid)
  local s = redis.call('HMGET', skey, 'st', 'a', 'b', 'ia', 'ib', 'mode', 'at')
  if s[1] ~= 'open' then return nil end
  local a, b = s[2], s[3]
  local sys = system ~= nil and system ~= ''
  if by ~= a and by ~= b and not (sys and by == '') then return nil end
  local endedBy = by
  if by == '' then endedBy = system end
  redis.call('HSET', skey, 'st', 'closed', 'by', endedBy, 'reason', reason, 'end', now)
  redis.call('PEXPIRE', skey, 60000)
  journal({ k = 'e', sid = sid, a = a, b = b, m = s[6], st = tonumber(s[7]), en = now, by = endedBy, r = reason })
  for _, id in ipairs({ a, b }) do
    local ukey = key('u', id)
    if redis.call('HGET', ukey, 'sid') == sid then redis.call('HDEL', ukey, 'sid') end
  end
  if reason ~= 'disconnect' and cooldown > 0 then
    markParted(a, b, now, cooldown)
    markParted(b, a, now, cooldown)
  end
  if reason == 'report' then
    -- For good, as in PostgreSQL (the reports table): this is its copy, reloaded if Redis loses it.
    redis.call('SADD', key('blk', a), b)
    redis.call('SADD', key('blk', b), a)
  end
  local partner, pinst, other, oinst = b, s[5], a, s[4]
  if by == b then partner, pinst, other, oinst = a, s[4], b, s[5] end
  local function tell(to, toInst, kind)
    if toInst ~= inst then
      redis.call('PUBLISH', key('ch', toInst), cjson.encode({ k = kind, to = to, sid = sid, reason = reason }))
    end
  end
  tell(partner, pinst, 'left')
  local out = { sid, a, b, s[6], s[7], tostring(now), endedBy, reason, partner, pinst }
  if sys then
    if by == '' then tell(other, oinst, 'left') else tell(other, oinst, 'mediaLeft') end
    out[11], out[12] = other, oinst
  end
  return out
end
