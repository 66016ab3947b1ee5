-- Rebuilds a team's spend for a period from the ledger, or adds spend one replica made while it failed open.
-- ARGV: 1 now ms, 2 ledger spend nano-USD, 3 time-to-live ms, 4 spend made while failing open nano-USD (0: none),
-- 5 when failing open began ms. KEYS[9] (only with ARGV[4] > 0) marks the push as added; KEYS[8] is set when
-- missing. Returns the spend.
-- A push is added only if Redis kept its data through the outage (KEYS[8] set before it began): then Redis's figure
-- plus each replica's push is exact, and the ledger's figure (which may already hold spend that other pushes, still
-- to come, add) is not mixed in. Each push is added once, however often it is sent (a retry after a lost reply).
-- Otherwise Redis lost what it had, and the ledger, which recorded that spend too, covers it: at least its figure.
local seededAt = tonumber(redis.call('GET', KEYS[8]) or '-1')
local spent = tonumber(redis.call('GET', KEYS[5]) or '0')
local pushed = tonumber(ARGV[4])
if pushed > 0 and seededAt >= 0 and seededAt < tonumber(ARGV[5]) then
  if redis.call('SET', KEYS[9], '1', 'NX', 'PX', ARGV[3]) then spent = spent + pushed end
else
  spent = math.max(spent, tonumber(ARGV[2]))
end
redis.call('SET', KEYS[5], int(spent), 'PX', ARGV[3])
if seededAt < 0 then redis.call('SET', KEYS[8], int(now), 'PX', ARGV[3]) end
return int(spent)
