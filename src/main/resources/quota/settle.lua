-- Settles a reservation: frees its concurrency leases, corrects the tokens it reserved to what was
-- used (if its second is still in the window), drops its budget reservation and books the actual cost.
-- ARGV: 1 now ms, 2 reservation id, 3 the second it was counted in, 4 tokens used minus reserved,
-- 5 actual cost nano-USD, 6 spend key time-to-live ms, 7 '1' when the settlement is sent again (its first sending got
-- no reply): then it settles only a reservation still held here, so that it is booked once however often it is sent
-- (one whose lease ran out and was tidied away is not booked by it either), and marks it (KEYS[9], for 10 minutes) so
-- that a first sending arriving after it, late, books nothing either. Returns 1 if it settled, 0 if not.
local id, sec, delta, cost = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if ARGV[7] == '1' then
  if not redis.call('ZSCORE', KEYS[2], id) then return 0 end
  redis.call('SET', KEYS[9], '1', 'PX', 600000)
end
if redis.call('ZREM', KEYS[2], id) == 0 and ARGV[7] ~= '1' and redis.call('EXISTS', KEYS[9]) == 1 then return 0 end
redis.call('ZREM', KEYS[4], id)
if delta ~= 0 and sec > nowSec - 60 then
  local field = 't' .. ARGV[3]
  for _, k in ipairs({KEYS[1], KEYS[3]}) do
    local v = redis.call('HMGET', k, field, 'ts')
    if v[1] then
      local before = tonumber(v[1])
      local corrected = math.max(0, before + delta)
      redis.call('HSET', k, field, int(corrected), 'ts', int(math.max(0, tonumber(v[2] or '0') + corrected - before)))
    end
  end
end
local held = redis.call('HGET', KEYS[6], id)
if held then
  redis.call('HDEL', KEYS[6], id)
  redis.call('HINCRBY', KEYS[6], '_total', int(-tonumber(held)))
end
redis.call('ZREM', KEYS[7], id)
if tonumber(cost) > 0 and redis.call('INCRBY', KEYS[5], cost) == tonumber(cost) then
  redis.call('PEXPIRE', KEYS[5], ARGV[6]) -- a new period's first spend
end
return 1
