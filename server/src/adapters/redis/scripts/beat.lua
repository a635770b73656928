-- Instance heartbeat. KEYS[1] the instances zset, scored by when each instance's liveness expires.
-- ARGV: prefix, instance, now, local online, this instance's ttl ms.
-- Returns {online across live instances, waiting, dead instance ids...}. Loops are bounded by the
-- number of instances.
local I = KEYS[1]
local inst, now, count, ttl = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
redis.call('ZADD', I, now + ttl, inst)
redis.call('HSET', key('online', 'count'), inst, count)
local online = 0
for _, i in ipairs(redis.call('ZRANGEBYSCORE', I, now, '+inf')) do
  online = online + (tonumber(redis.call('HGET', key('online', 'count'), i)) or 0)
end
local out = { online, redis.call('ZCARD', key('q', 'video')) + redis.call('ZCARD', key('q', 'text')) }
for _, d in ipairs(redis.call('ZRANGEBYSCORE', I, '-inf', '(' .. now, 'LIMIT', 0, 16)) do
  out[#out + 1] = d
end
return out
