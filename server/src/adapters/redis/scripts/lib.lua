-- Shared prelude, prepended to every script. ARGV[1] is always the key prefix, e.g. "{mm}:".
-- Every key carries the same hash tag, so each script touches a single Redis Cluster slot.
-- Times are milliseconds since the epoch, passed in by the caller.
local P = ARGV[1]

local function key(kind, id) return P .. kind .. ':' .. id end

-- The journal: what must reach PostgreSQL, written in the same atomic step as the change itself,
-- so an instance that dies right after a script loses nothing (recorders read it with XREADGROUP).
local function journal(entry) redis.call('XADD', P .. 'journal', '*', 'e', cjson.encode(entry)) end

-- Queues are per pool: the mode ('video', 'text'), or the mode's shadow pool ('video:shadow'),
-- where devices reported by several others meet only each other.
-- The interest index: per queue and tag, the waiting users who named that tag (a zset scored by
-- `since`, as the queue), so a claim finds everyone sharing one of its tags however deep they wait.
local function tagKey(queue, tag) return P .. 'qi:' .. queue .. ':' .. tag end

-- Takes a user out of its queue and out of the interest index (`ints` "\n"-joined). A user
-- hash's `q` names the queue it waits in, '' once it was taken from there into a session.
local function dequeue(uid, queue, ints)
  if not queue or queue == '' then return end
  redis.call('ZREM', key('q', queue), uid)
  for t in string.gmatch(ints or '', '[^\n]+') do redis.call('ZREM', tagKey(queue, t), uid) end
end

-- A rate limit that holds across instances (GCRA): `period` ms between events sustained, `burst`
-- at once. Records the event and returns 0, or returns the ms until it would be allowed.
local function gcra(k, now, period, burst)
  local tat = tonumber(redis.call('GET', k)) or now
  if tat < now then tat = now end
  local allowAt = tat + period - period * burst
  if allowAt > now then return allowAt - now end
  redis.call('SET', k, tat + period, 'PX', math.ceil(tat + period - now))
  return 0
end

-- The rematch cooldown's mark for devices a and b: one key per pair (either order), holding when
-- they parted and expiring with the cooldown, so marking is one command and nothing needs trimming.
local function partedKey(a, b)
  if a > b then a, b = b, a end
  return key('cd', a .. '|' .. b)
end

-- Compare-and-set close. Returns nil unless the session is open and `by` is one of its users.
-- `skip` ({period, burst}, optional) counts a member's skip or report against its device's skip
-- limit; past it the device cools down (`cool:<device>`) before it may be queued again.
-- `system` (optional) names the system closing it instead: then `by` is '' (nobody in particular)
-- or the member it closes on behalf of, and both users are told, since neither asked for it: the
-- member named hears `mediaLeft` (its own media left), any other user `left`.
-- Users are told through their instance's channel unless they are on `inst` (the caller delivers
-- locally then). Returns {sid, a, b, mode, startedAt, endedAt, endedBy, reason, partner,
-- partnerInst}, plus {other, otherInst} for a system close: the member `by` names, or `a`.
local function closeSession(sid, by, reason, now, cooldown, inst, system, skip)
  local skey = key('s', sid)
  local s = redis.call('HMGET', skey, 'st', 'a', 'b', 'ia', 'ib', 'mode', 'at', 'da', 'db')
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
  -- Cooldowns and blocks are the devices' (a reload is a new user, the same device).
  local da, db = s[8] or a, s[9] or b
  if reason ~= 'disconnect' and cooldown > 0 then redis.call('SET', partedKey(da, db), now, 'PX', cooldown) end
  if reason == 'report' then
    -- For good, as in PostgreSQL (device_blocks): this is its copy, reloaded if Redis loses it.
    redis.call('SADD', key('blk', da), db)
    redis.call('SADD', key('blk', db), da)
  end
  if skip and (reason == 'skip' or reason == 'report') and (by == a or by == b) then
    local dev = da
    if by == b then dev = db end
    local wait = gcra(key('rl', 'skip:' .. dev), now, skip.period, skip.burst)
    if wait > 0 then redis.call('SET', key('cool', dev), '1', 'PX', math.ceil(wait)) end
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
