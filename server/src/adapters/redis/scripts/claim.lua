-- Claim-or-enqueue, atomically: pair the caller with the longest-waiting compatible user of its
-- mode, or put it in the queue. KEYS[1] queue of the mode, KEYS[2] the caller's user hash.
-- ARGV: prefix, userId, conn, instance, mode, since, now, interests ("\n"-joined), new session id,
--       interest fallback ms, rematch cooldown ms, scan limit.
-- Returns {'matched', sid, partner, partnerInst, mode, common, startedAt, formed, partnerConn,
--          partnerSince (the wait the partner was taken from)}
--      or {'queued', retryInMs or -1}, either followed by the 10-tuple of a leftover session it closed.
local Q, U = KEYS[1], KEYS[2]
local uid, conn, inst, mode = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local since, now = tonumber(ARGV[6]), tonumber(ARGV[7])
local ints, newSid = ARGV[8], ARGV[9]
local fallback, cooldown, limit = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])

local function tags(s)
  local set, n = {}, 0
  for t in string.gmatch(s or '', '[^\n]+') do set[t] = true; n = n + 1 end
  return set, n
end

local leftover = {}
local cur = redis.call('HMGET', U, 'conn', 'since', 'sid')
if cur[3] then
  local s = redis.call('HMGET', key('s', cur[3]), 'st', 'a', 'b', 'ia', 'ib', 'mode', 'common', 'at', 'ca', 'cb')
  if s[1] == 'open' then
    if cur[1] == conn and tonumber(cur[2]) == since then
      -- Claimed by someone else during this same wait: hand the session back (idempotent retry).
      if s[2] == uid then return { 'matched', cur[3], s[3], s[5], s[6], s[7] or '', s[8], '0', s[10], '' } end
      return { 'matched', cur[3], s[2], s[4], s[6], s[7] or '', s[8], '0', s[9], '' }
    end
    -- A session left over from an earlier connection or wait: a user is in one session at most.
    leftover = closeSession(cur[3], uid, 'disconnect', now, cooldown, '') or {}
  end
end

redis.call('ZREM', key('q', 'video'), uid)
redis.call('ZREM', key('q', 'text'), uid)
redis.call('HSET', U, 'inst', inst, 'conn', conn, 'mode', mode, 'since', since, 'ints', ints)
redis.call('HDEL', U, 'sid')
redis.call('SADD', key('iu', inst), uid)

local mine, mineN = tags(ints)
local others = redis.call('ZCARD', Q)
local cands = redis.call('ZRANGE', Q, 0, limit - 1)
local retryAt = nil
local function later(t) if retryAt == nil or t < retryAt then retryAt = t end end

local chosen, cinfo, common = nil, nil, nil
for _, c in ipairs(cands) do
  if c ~= uid and redis.call('SISMEMBER', key('blk', uid), c) == 0 then
    local cu = redis.call('HMGET', key('u', c), 'since', 'ints', 'inst', 'conn')
    if not cu[1] then
      redis.call('ZREM', Q, c) -- a queue entry without its user: heal
    else
      local csince = tonumber(cu[1])
      local theirs, theirsN = tags(cu[2])
      local shared = {}
      for t in pairs(mine) do if theirs[t] then shared[#shared + 1] = t end end
      table.sort(shared)
      local readyAt = -1
      if mineN > 0 then readyAt = since + fallback end
      if theirsN > 0 and csince + fallback > readyAt then readyAt = csince + fallback end
      if #shared == 0 and readyAt > now then
        later(readyAt)
      else
        local parted = redis.call('ZSCORE', key('cd', uid), c)
        if parted and now - tonumber(parted) < cooldown then
          local settleAt = math.max(since, csince) + fallback
          if others <= 1 and settleAt <= now then
            chosen, cinfo, common = c, cu, shared
            break
          end
          if others <= 1 then later(settleAt) else later(tonumber(parted) + cooldown) end
        else
          chosen, cinfo, common = c, cu, shared
          break
        end
      end
    end
  end
end

if not chosen then
  redis.call('ZADD', Q, since, uid)
  local out = { 'queued', '-1' }
  if retryAt ~= nil then out[2] = tostring(math.max(0, retryAt - now)) end
  for _, v in ipairs(leftover) do out[#out + 1] = v end
  return out
end

local cinst, cconn = cinfo[3], cinfo[4]
local commonStr = table.concat(common, '\n')
redis.call('ZREM', Q, chosen)
redis.call('HSET', key('s', newSid), 'a', chosen, 'b', uid, 'ia', cinst, 'ib', inst, 'ca', cconn, 'cb', conn,
  'mode', mode, 'common', commonStr, 'at', now, 'st', 'open')
redis.call('HSET', key('u', chosen), 'sid', newSid)
redis.call('HSET', U, 'sid', newSid)
journal({ k = 's', sid = newSid, a = chosen, b = uid, m = mode, t = now })
if cinst ~= inst then
  redis.call('PUBLISH', key('ch', cinst), cjson.encode({
    k = 'matched', to = chosen, conn = cconn, sid = newSid, mode = mode, partner = uid, pinst = inst,
    common = commonStr, at = now, since = cinfo[1],
  }))
end
local out = { 'matched', newSid, chosen, cinst, mode, commonStr, tostring(now), '1', cconn, cinfo[1] }
for _, v in ipairs(leftover) do out[#out + 1] = v end
return out
