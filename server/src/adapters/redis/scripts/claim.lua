-- Claim-or-enqueue, atomically: pair the caller with the longest-waiting compatible user of its
-- queue, or put it there. KEYS[1] the queue (its mode's, or the mode's shadow pool), KEYS[2] the
-- caller's user hash.
-- ARGV: prefix, userId, conn, instance, mode, since, now, interests ("\n"-joined), new session id,
--       interest fallback ms, rematch cooldown ms, scan limit, device, address hash,
--       origin ('enqueue': the user pressed Start, counted against its enqueue limit; 'again'),
--       enqueue limit period ms and burst, queue name ('video', 'video:shadow', ...),
--       the session the caller leaves as it queues again ('' for none) and why (its skip, report
--       or ready timeout: closed first, as close.lua would), the skip limit's period ms and burst.
-- Blocks and rematch cooldowns are the devices'; two users of one device never meet (two tabs).
-- Candidates: the `limit` longest-waiting users of the mode, and for each of the caller's tags
-- the `limit` longest-waiting users who named it (the interest index), so two users who share an
-- interest are paired whenever both wait, however long the queue. The oldest compatible one wins.
-- Returns {'matched', sid, partner, partnerInst, mode, common, startedAt, formed, partnerConn,
--          partnerSince (the wait the partner was taken from), partnerDevice}
--      or {'queued', retryInMs or -1}
--      or {'limited', retryInMs} (the device is cooling down or over its enqueue limit: not queued),
--      any of them followed by the 10-tuple of each session it closed: the one it was asked to close,
--      and one left over from an earlier wait or connection.
local Q, U = KEYS[1], KEYS[2]
local uid, conn, inst, mode = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local since, now = tonumber(ARGV[6]), tonumber(ARGV[7])
local ints, newSid = ARGV[8], ARGV[9]
local fallback, cooldown, limit = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
local dev, iph, origin, qname = ARGV[13], ARGV[14], ARGV[15], ARGV[18]
local leaving, leavingWhy = ARGV[19], ARGV[20]

local function tags(s)
  local set, list = {}, {}
  for t in string.gmatch(s or '', '[^\n]+') do set[t] = true; list[#list + 1] = t end
  return set, list
end

-- The 10-tuples of the sessions this call closes, appended to whatever it returns.
local closed = {}
local function ended(tuple) for _, v in ipairs(tuple or {}) do closed[#closed + 1] = v end end
if leaving and leaving ~= '' then
  ended(closeSession(leaving, uid, leavingWhy, now, cooldown, inst, '', { period = tonumber(ARGV[21]),
    burst = tonumber(ARGV[22]) }))
end
local cur = redis.call('HMGET', U, 'conn', 'since', 'sid', 'q', 'ints', 'inst')
if cur[3] then
  local s = redis.call('HMGET', key('s', cur[3]), 'st', 'a', 'b', 'ia', 'ib', 'mode', 'common', 'at', 'ca', 'cb', 'da',
    'db')
  if s[1] == 'open' then
    if cur[1] == conn and tonumber(cur[2]) == since then
      -- Claimed by someone else during this same wait: hand the session back (idempotent retry).
      local out = { 'matched', cur[3], s[2], s[4], s[6], s[7] or '', s[8], '0', s[9], '', s[11] or s[2] }
      if s[2] == uid then out = { 'matched', cur[3], s[3], s[5], s[6], s[7] or '', s[8], '0', s[10], '', s[12] or s[3] } end
      for _, v in ipairs(closed) do out[#out + 1] = v end
      return out
    end
    -- A session left over from an earlier connection or wait: a user is in one session at most.
    ended(closeSession(cur[3], uid, 'disconnect', now, cooldown, ''))
  end
end

dequeue(uid, cur[4], cur[5])
-- Too many skips lately (cooling down), or too many Starts: not queued, told how long to wait.
local wait = redis.call('PTTL', key('cool', dev))
if wait <= 0 and origin == 'enqueue' then wait = gcra(key('rl', 'enq:' .. dev), now, tonumber(ARGV[16]), tonumber(ARGV[17])) end
if wait > 0 then
  if cur[3] then redis.call('HDEL', U, 'sid') end
  local out = { 'limited', tostring(math.ceil(wait)) }
  for _, v in ipairs(closed) do out[#out + 1] = v end
  return out
end
-- The caller's hash is written once its outcome is known (nothing below reads it): with its new
-- session, or without one.
local function writeUser(sid)
  local f = { 'inst', inst, 'conn', conn, 'mode', mode, 'q', qname, 'since', since, 'ints', ints, 'dev', dev, 'iph', iph }
  if sid then
    f[8] = '' -- its `q`: in a session, it waits in no queue
    table.insert(f, 'sid')
    table.insert(f, sid)
  end
  redis.call('HSET', U, unpack(f))
  if not sid and cur[3] then redis.call('HDEL', U, 'sid') end
end
-- The instance's user set holds every user whose hash names the instance: joined once.
if cur[6] ~= inst then redis.call('SADD', key('iu', inst), uid) end

local mine, mineList = tags(ints)
-- How many wait in the caller's queue: asked only when a cooldown needs it.
local othersN = nil
local function others()
  othersN = othersN or redis.call('ZCARD', Q)
  return othersN
end
local retryAt = nil
local function later(t) if retryAt == nil or t < retryAt then retryAt = t end end

local healed = 0
-- Whether candidate c (waiting since csince) may be paired with the caller now; deferrals noted.
-- Returns its user fields and the shared tags when it may.
local function eligible(c, zset)
  if c == uid then return nil end
  local cu = redis.call('HMGET', key('u', c), 'since', 'ints', 'inst', 'conn', 'dev')
  if not cu[1] then
    redis.call('ZREM', zset, c) -- an entry without its user: heal
    healed = healed + 1
    return nil
  end
  local cdev = cu[5] or c
  if cdev == dev or redis.call('SISMEMBER', key('blk', dev), cdev) == 1 then return nil end
  local csince = tonumber(cu[1])
  local theirs, theirsList = tags(cu[2])
  local shared = {}
  for t in pairs(mine) do if theirs[t] then shared[#shared + 1] = t end end
  table.sort(shared)
  local readyAt = -1
  if #mineList > 0 then readyAt = since + fallback end
  if #theirsList > 0 and csince + fallback > readyAt then readyAt = csince + fallback end
  if #shared == 0 and readyAt > now then
    later(readyAt)
    return nil
  end
  local parted = redis.call('GET', partedKey(dev, cdev))
  if parted and now - tonumber(parted) < cooldown then
    local settleAt = math.max(since, csince) + fallback
    if others() <= 1 and settleAt <= now then return cu, shared end
    if others() <= 1 then later(settleAt) else later(tonumber(parted) + cooldown) end
    return nil
  end
  return cu, shared
end

local chosen, cinfo, common, csince = nil, nil, nil, nil
-- Scans a zset oldest first, `limit` entries at most; stops at the first eligible, or once nobody
-- older than the best is left. Read a page at a time (8, then 16, ...): the first few candidates
-- are nearly always enough, and each entry read costs the script a conversion.
local function scan(zset)
  local from, page = 0, 8
  while from < limit do
    local to = math.min(from + page, limit) - 1
    local list = redis.call('ZRANGE', zset, from, to, 'WITHSCORES')
    local before = healed
    for i = 1, #list, 2 do
      local c, score = list[i], tonumber(list[i + 1])
      if csince ~= nil and score >= csince then return end
      local cu, shared = eligible(c, zset)
      if cu then
        chosen, cinfo, common, csince = c, cu, shared, score
        return
      end
    end
    if #list < 2 * (to - from + 1) then return end
    -- Entries healed away on this page moved the rest up by as many ranks.
    from, page = to + 1 - (healed - before), page * 2
  end
end
scan(Q)
for _, t in ipairs(mineList) do scan(tagKey(qname, t)) end

if not chosen then
  writeUser(nil)
  redis.call('ZADD', Q, since, uid)
  for _, t in ipairs(mineList) do redis.call('ZADD', tagKey(qname, t), since, uid) end
  local out = { 'queued', '-1' }
  if retryAt ~= nil then out[2] = tostring(math.max(0, retryAt - now)) end
  for _, v in ipairs(closed) do out[#out + 1] = v end
  return out
end

local cinst, cconn, cdev = cinfo[3], cinfo[4], cinfo[5] or chosen
local commonStr = table.concat(common, '\n')
dequeue(chosen, qname, cinfo[2])
redis.call('HSET', key('s', newSid), 'a', chosen, 'b', uid, 'ia', cinst, 'ib', inst, 'ca', cconn, 'cb', conn,
  'mode', mode, 'common', commonStr, 'at', now, 'st', 'open', 'da', cdev, 'db', dev)
redis.call('HSET', key('u', chosen), 'sid', newSid, 'q', '')
writeUser(newSid)
journal({ k = 's', sid = newSid, a = chosen, b = uid, m = mode, t = now })
if cinst ~= inst then
  redis.call('PUBLISH', key('ch', cinst), cjson.encode({
    k = 'matched', to = chosen, conn = cconn, sid = newSid, mode = mode, partner = uid, pinst = inst,
    common = commonStr, at = now, since = cinfo[1], pdev = dev,
  }))
end
local out = { 'matched', newSid, chosen, cinst, mode, commonStr, tostring(now), '1', cconn, cinfo[1], cdev }
for _, v in ipairs(closed) do out[#out + 1] = v end
return out
