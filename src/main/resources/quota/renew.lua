-- Extends a live reservation's leases, and how long Redis keeps the keys that hold them (a stream may
-- outlive their first time-to-live). ARGV: 1 now ms, 2 reservation id, 3 new expiry ms.
local ttl = math.max(0, tonumber(ARGV[3]) - now) + 61000
for _, k in ipairs({KEYS[2], KEYS[4], KEYS[7]}) do
  if redis.call('ZADD', k, 'XX', 'CH', ARGV[3], ARGV[2]) == 1 then redis.call('PEXPIRE', k, ttl) end
end
if redis.call('HEXISTS', KEYS[6], ARGV[2]) == 1 then redis.call('PEXPIRE', KEYS[6], ttl) end
return 1
