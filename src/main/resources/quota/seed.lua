-- Rebuilds a team's spend for a period from the ledger, or adds spend one replica made while it failed open.
-- ARGV: 1 now ms, 2 ledger spend nano-USD (-1: unknown, the ledger could not be read), 3 time-to-live ms, 4 spend made
-- while failing open nano-USD (0: none), 5 when failing open began ms. KEYS[9] (only with ARGV[4] > 0) marks the push
-- as added; KEYS[8] is set when missing (unless the ledger's figure is unknown). Returns the spend.
-- A push is added only if Redis kept its data through the outage (KEYS[8] set before it began), and once however
-- often it is sent (a retry after a lost reply). Either way the spend becomes at least the ledger's: the ledger also
-- holds what settlements lost in the outage never told Redis (it may count a push that is still to come, too: an
-- overcount, never an overspend). If Redis lost its data, the ledger, which recorded the pushed spend as well, covers it.
local seededAt = tonumber(redis.call('GET', KEYS[8]) or '-1')
local spent = tonumber(redis.call('GET', KEYS[5]) or '0')
local pushed = tonumber(ARGV[4])
local ledger = tonumber(ARGV[2])
if pushed > 0 and seededAt >= 0 and seededAt < tonumber(ARGV[5]) then
  if redis.call('SET', KEYS[9], '1', 'NX', 'PX', ARGV[3]) then spent = spent + pushed end
end
spent = math.max(spent, ledger)
redis.call('SET', KEYS[5], int(spent), 'PX', ARGV[3])
if seededAt < 0 and ledger >= 0 then redis.call('SET', KEYS[8], int(now), 'PX', ARGV[3]) end
return int(spent)
