-- Clears up to `batch` users of a dead instance: out of the queue, sessions closed as
-- `disconnect` (partners told through their channels). KEYS[1] the dead instance's user set.
-- ARGV: prefix, dead instance, now, rematch cooldown ms, batch.
-- Returns {done (0/1), closed sessions as flat 10-tuples...}.
local IU = KEYS[1]
local dead, now, cooldown, batch = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local out = { 0 }
for _, uid in ipairs(redis.call('SPOP', IU, batch)) do
  local cur = redis.call('HMGET', key('u', uid), 'inst', 'sid')
  if cur[1] == dead then
    redis.call('ZREM', key('q', 'video'), uid)
    redis.call('ZREM', key('q', 'text'), uid)
    if cur[2] then
      local closed = closeSession(cur[2], uid, 'disconnect', now, cooldown, '')
      if closed then for _, v in ipairs(closed) do out[#out + 1] = v end end
    end
    redis.call('DEL', key('u', uid))
  end
end
if redis.call('SCARD', IU) == 0 then
  redis.call('ZREM', key('insts', 'all'), dead)
  redis.call('HDEL', key('online', 'count'), dead)
  out[1] = 1
end
return out
