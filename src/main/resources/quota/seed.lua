-- Sets a team's spend for a period to at least ARGV[2] (rebuilt from the ledger at start-up).
-- ARGV: 1 now ms, 2 spend nano-USD, 3 time-to-live ms.
local current = tonumber(redis.call('GET', KEYS[5]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('SET', KEYS[5], ARGV[2], 'PX', ARGV[3]) end
return 1
