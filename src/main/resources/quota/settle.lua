-- Settles a reservation: frees its concurrency leases, corrects the tokens it reserved to what was
-- used (if its second is still in the window), drops its budget reservation and books the actual cost.
-- ARGV: 1 now ms, 2 reservation id, 3 the second it was counted in, 4 tokens used minus reserved,
-- 5 actual cost nano-USD, 6 spend key time-to-live ms.
local id, sec, delta, cost = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[6], id)
if delta ~= 0 and sec > nowSec - 60 then
  for _, k in ipairs({KEYS[2], KEYS[5]}) do
    local current = redis.call('HGET', k, ARGV[3])
    if current then
      local corrected = tonumber(current) + delta
      if corrected < 0 then corrected = 0 end
      redis.call('HSET', k, ARGV[3], corrected)
    end
  end
end
local held = redis.call('HGET', KEYS[8], id)
if held then
  redis.call('HDEL', KEYS[8], id)
  redis.call('HINCRBY', KEYS[8], '_total', -tonumber(held))
end
redis.call('ZREM', KEYS[9], id)
if tonumber(cost) > 0 then
  redis.call('INCRBY', KEYS[7], cost)
  redis.call('PEXPIRE', KEYS[7], ARGV[6])
end
return 1
