-- Lets a connection in, or says why not. KEYS[1] the address's open sockets (a hash: instance →
-- count), KEYS[2] its connect rate before a bot check is needed, KEYS[3] its hard connect rate.
-- ARGV: prefix, address hash, instance, now, most open sockets, rate period ms and burst (before
-- the bot check), hard period ms and burst, passed ('1': a solved bot check), peek ('1': count
-- nothing, only say whether a bot check would be needed).
-- Returns {'ok'} or {reason ('challenge' | 'busy' | 'full'), retryAfterMs}.
local OPEN, SOFT, HARD = KEYS[1], KEYS[2], KEYS[3]
local iph, inst, now, most = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local sp, sb, hp, hb = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local passed, peek = ARGV[10] == '1', ARGV[11] == '1'
if peek then
  local tat = tonumber(redis.call('GET', SOFT)) or now
  if tat < now then tat = now end
  if tat + sp - sp * sb > now then return { 'challenge', '0' } end
  return { 'ok' }
end
local open = 0
for _, n in ipairs(redis.call('HVALS', OPEN)) do open = open + tonumber(n) end
if open >= most then return { 'full', '5000' } end
if passed then
  local wait = gcra(HARD, now, hp, hb)
  if wait > 0 then return { 'busy', tostring(math.ceil(wait)) } end
else
  local wait = gcra(SOFT, now, sp, sb)
  if wait > 0 then return { 'challenge', tostring(math.ceil(wait)) } end
end
redis.call('HINCRBY', OPEN, inst, 1)
redis.call('SADD', key('ipi', inst), iph)
return { 'ok' }
