-- A connection let in by admit.lua closed. KEYS[1] the address's open sockets. ARGV: prefix, instance.
-- Atomic, so a connect racing this close is never lost with the field.
local left = redis.call('HINCRBY', KEYS[1], ARGV[2], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[2]) end
return left
