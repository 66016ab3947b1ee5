-- Extends a live reservation's leases. ARGV: 1 now ms, 2 reservation id, 3 new expiry ms.
for _, k in ipairs({KEYS[3], KEYS[6], KEYS[9]}) do
  redis.call('ZADD', k, 'XX', ARGV[3], ARGV[2])
end
return 1
