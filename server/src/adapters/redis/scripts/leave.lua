-- Takes a user out of the queue and out of its session. KEYS[1] the user hash.
-- ARGV: prefix, userId, conn, reason, now, rematch cooldown ms, instance.
-- Does nothing when a newer connection owns the user, or another instance does (it was handed
-- over, or swept and claimed again there). Returns the closed session or nil.
local U = KEYS[1]
local uid, conn, reason, now, cooldown, inst = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local cur = redis.call('HMGET', U, 'conn', 'sid', 'inst', 'q', 'ints')
if cur[1] ~= conn or (cur[3] and cur[3] ~= inst) then return nil end
dequeue(uid, cur[4], cur[5])
local closed = nil
if cur[2] then closed = closeSession(cur[2], uid, reason, now, cooldown, inst) end
redis.call('DEL', U)
if cur[3] then redis.call('SREM', key('iu', cur[3]), uid) end
return closed
