-- Rebuilds a team's spend for a period from the ledger: it becomes at least the ledger's ARGV[2]. Spend
-- made while one replica failed open (ARGV[4], since ARGV[5]) is added only if Redis kept its data through
-- that time (KEYS[8] set before it); otherwise the ledger, which recorded that spend too, covers it.
-- KEYS[8] is set when missing. ARGV: 1 now ms, 2 ledger spend nano-USD, 3 time-to-live ms, 4 spend made
-- while failing open nano-USD, 5 when failing open began ms. Returns the spend.
local seededAt = tonumber(redis.call('GET', KEYS[8]) or '-1')
local spent = tonumber(redis.call('GET', KEYS[5]) or '0')
local pushed = tonumber(ARGV[4])
if pushed > 0 and seededAt >= 0 and seededAt < tonumber(ARGV[5]) then spent = spent + pushed end
spent = math.max(spent, tonumber(ARGV[2]))
redis.call('SET', KEYS[5], int(spent), 'PX', ARGV[3])
if seededAt < 0 then redis.call('SET', KEYS[8], int(now), 'PX', ARGV[3]) end
return int(spent)
