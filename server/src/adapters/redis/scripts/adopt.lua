-- Resume on another instance: the instance a user reconnected to takes over its held session.
-- KEYS[1] the user hash. ARGV: prefix, userId, conn (from the resume token), this instance.
-- Only a connection that is still held and in an open session moves: its owner, the session's
-- side and the instance sets now name this instance; the old instance is told to let its actor go
-- quietly, and the partner's instance that this side moved (chat goes here from now on).
-- Returns {'moved', sid, partner, partnerInst, mode, common, startedAt, partnerDevice} or {'none'}.
local U = KEYS[1]
local uid, conn, inst = ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HMGET', U, 'conn', 'inst', 'sid')
if cur[1] ~= conn or not cur[2] or cur[2] == inst or not cur[3] then return { 'none' } end
local sid, old = cur[3], cur[2]
local skey = key('s', sid)
local s = redis.call('HMGET', skey, 'st', 'a', 'b', 'ia', 'ib', 'mode', 'common', 'at', 'da', 'db')
if s[1] ~= 'open' then return { 'none' } end
local partner, pinst, pdev = s[3], s[5], s[10]
if uid == s[2] then
  redis.call('HSET', skey, 'ia', inst)
elseif uid == s[3] then
  redis.call('HSET', skey, 'ib', inst)
  partner, pinst, pdev = s[2], s[4], s[9]
else
  return { 'none' }
end
redis.call('HSET', U, 'inst', inst)
redis.call('SREM', key('iu', old), uid)
redis.call('SADD', key('iu', inst), uid)
redis.call('PUBLISH', key('ch', old), cjson.encode({ k = 'handedOver', to = uid, sid = sid, inst = inst }))
if pinst ~= inst then
  redis.call('PUBLISH', key('ch', pinst), cjson.encode({ k = 'moved', to = partner, sid = sid, inst = inst }))
end
return { 'moved', sid, partner, pinst, s[6], s[7] or '', s[8], pdev or partner }
