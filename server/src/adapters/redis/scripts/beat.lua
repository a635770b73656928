-- Instance heartbeat. KEYS[1] the instances zset, scored by when each instance's liveness expires.
-- ARGV: prefix, instance, now, local online, this instance's ttl ms, known ('1' when this process
--       has beaten before), a fresh epoch id (kept only if Redis has none: it lost its data).
-- Returns {online across live instances, waiting, epoch, swept (0/1), dead instance ids...}.
-- `swept` says the others took this instance for dead and swept (some of) its users while it was
-- away (stopped, partitioned): it must tell its own users. The epoch changes only when Redis lost
-- everything (a restart without persistence): the instance compares it with the one it knew.
-- Loops are bounded by the number of instances.
local I = KEYS[1]
local inst, now, count, ttl = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local known, fresh = ARGV[6], ARGV[7]
local epoch = redis.call('GET', P .. 'epoch')
if not epoch then
  redis.call('SET', P .. 'epoch', fresh)
  epoch = fresh
end
local swept = 0
if redis.call('GET', key('swept', inst)) then swept = 1 end
if known == '1' and not redis.call('ZSCORE', I, inst) then swept = 1 end
redis.call('DEL', key('swept', inst))
redis.call('ZADD', I, now + ttl, inst)
redis.call('HSET', key('online', 'count'), inst, count)
local online = 0
for _, i in ipairs(redis.call('ZRANGEBYSCORE', I, now, '+inf')) do
  online = online + (tonumber(redis.call('HGET', key('online', 'count'), i)) or 0)
end
local waiting = 0
for _, q in ipairs({ 'video', 'text', 'video:shadow', 'text:shadow' }) do waiting = waiting + redis.call('ZCARD', key('q', q)) end
local out = { online, waiting, epoch, swept }
for _, d in ipairs(redis.call('ZRANGEBYSCORE', I, '-inf', '(' .. now, 'LIMIT', 0, 16)) do
  out[#out + 1] = d
end
return out
