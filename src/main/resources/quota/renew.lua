-- Extends a live reservation's leases. ARGV: 1 now ms, 2 reservation id, 3 new expiry ms.
for _, k in ipairs({KEYS[2], KEYS[4], KEYS[7]}) do
  redis.call('ZADD', k, 'XX', ARGV[3], ARGV[2])
end
return 1
