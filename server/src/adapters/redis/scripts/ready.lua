-- Marks one side ready. KEYS[1] session hash. ARGV: prefix, userId, instance.
-- Returns {connected (0/1), first (0/1), partner, partnerInst}; the partner is told the first time.
local skey = KEYS[1]
local uid, inst = ARGV[2], ARGV[3]
local s = redis.call('HMGET', skey, 'st', 'a', 'b', 'ia', 'ib', 'ra', 'rb', 'live')
if s[1] ~= 'open' then return { 0, 0 } end
local partner, pinst
if uid == s[2] then
  redis.call('HSET', skey, 'ra', '1'); s[6] = '1'; partner, pinst = s[3], s[5]
elseif uid == s[3] then
  redis.call('HSET', skey, 'rb', '1'); s[7] = '1'; partner, pinst = s[2], s[4]
else
  return { 0, 0 }
end
if s[6] ~= '1' or s[7] ~= '1' then return { 0, 0 } end
if s[8] == '1' then return { 1, 0 } end
redis.call('HSET', skey, 'live', '1')
if pinst ~= inst then
  local sid = string.sub(skey, #key('s', '') + 1)
  redis.call('PUBLISH', key('ch', pinst), cjson.encode({ k = 'connected', to = partner, sid = sid }))
end
return { 1, 1, partner, pinst }
