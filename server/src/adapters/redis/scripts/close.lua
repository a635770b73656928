-- Closes a session once (compare-and-set). KEYS[1] session hash.
-- ARGV: prefix, sessionId, closer (a member, or '' for a system close on nobody's behalf), reason,
-- now, rematch cooldown ms, instance, system ('' for a member's own close, else the system's name),
-- the skip limit's period ms and burst.
local skip = { period = tonumber(ARGV[9]), burst = tonumber(ARGV[10]) }
return closeSession(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8], skip)
