-- Closes a session once (compare-and-set). KEYS[1] session hash.
-- ARGV: prefix, sessionId, userId, reason, now, rematch cooldown ms, instance.
return closeSession(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7])
