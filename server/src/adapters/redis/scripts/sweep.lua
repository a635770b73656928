-- Clears up to `batch` users of a dead instance: out of the queue, sessions closed as
-- `disconnect` (partners told through their channels, ends journaled). KEYS[1] the dead
-- instance's user set. ARGV: prefix, dead instance, now, rematch cooldown ms, batch, force ('1':
-- an instance clearing what an earlier run under its own id left, however recent its last beat).
-- Returns {done (0/1), closed sessions as flat 10-tuples...}.
-- A user leaves the set only after its session is closed, so a sweep cut short (an error, a
-- timeout) leaves nobody in an open session that no one will sweep again. An instance that beat
-- again meanwhile is alive: it is left alone, and its next beat tells it it was swept.
local IU = KEYS[1]
local dead, now, cooldown, batch = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local alive = redis.call('ZSCORE', key('insts', 'all'), dead)
if ARGV[6] ~= '1' and alive and tonumber(alive) >= now then return { 1 } end
-- Tells the instance, should it come back, that it was swept (not when it clears its own past).
if ARGV[6] ~= '1' then redis.call('SET', key('swept', dead), now, 'PX', 3600000) end
local out = { 0 }
local uids = redis.call('SRANDMEMBER', IU, batch)
for _, uid in ipairs(uids) do
  local cur = redis.call('HMGET', key('u', uid), 'inst', 'sid', 'q', 'ints')
  if cur[1] == dead then
    dequeue(uid, cur[3], cur[4])
    if cur[2] then
      local closed = closeSession(cur[2], uid, 'disconnect', now, cooldown, '')
      if closed then for _, v in ipairs(closed) do out[#out + 1] = v end end
    end
    redis.call('DEL', key('u', uid))
  end
  redis.call('SREM', IU, uid)
end
if redis.call('SCARD', IU) == 0 then
  -- Its sockets are gone too: they no longer count against their addresses.
  for _, iph in ipairs(redis.call('SMEMBERS', key('ipi', dead))) do redis.call('HDEL', key('ipc', iph), dead) end
  redis.call('DEL', key('ipi', dead))
  redis.call('ZREM', key('insts', 'all'), dead)
  redis.call('HDEL', key('online', 'count'), dead)
  out[1] = 1
end
return out
