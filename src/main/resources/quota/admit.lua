-- Checks every limit of the team and the key and, only if all pass, reserves: one request, the
-- tokens, a concurrency lease in each scope, and the worst-case cost against the budget.
-- ARGV: 1 now ms, 2 reservation id, 3 tokens, 4 cost nano-USD, 5 lease expiry ms, 6 budget nano-USD
-- (-1: none), 7 budget period end ms, 8-10 team rpm/tpm/concurrent, 11-13 key rpm/tpm/concurrent
-- (-1: no limit), 14 '1' to refuse with 'unseeded' when the team's spend for the period was never rebuilt
-- from the ledger (KEYS[8] missing: Redis lost it, or the period is new). Returns {admitted, refusal, scope,
-- retry ms, then for team and key: requests used, requests reset ms, tokens used, tokens reset ms}.
local id, tokens, cost, expiry = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local budget = tonumber(ARGV[6])
local tRpm, tTpm, tConc = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local kRpm, kTpm, kConc = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])

local team = window(KEYS[1])
local key = window(KEYS[3])
-- the first admission of a second in a scope tidies its leases and extends its time-to-live
local teamTidy, keyTidy = team.newest ~= nowSec, key.newest ~= nowSec
local tCon = leases(KEYS[2], teamTidy)
local kCon = leases(KEYS[4], keyTidy)
local held = budget >= 0 and reserved(teamTidy) or 0

local function answer(admitted, reason, scope, retry)
  return {admitted, reason, scope, retry,
    team.req, untilClear(team), team.tok, untilClear(team),
    key.req, untilClear(key), key.tok, untilClear(key)}
end

if budget >= 0 then
  if ARGV[14] == '1' and redis.call('EXISTS', KEYS[8]) == 0 then return answer(0, 'unseeded', 'team', 0) end
  local spent = tonumber(redis.call('GET', KEYS[5]) or '0')
  if spent >= budget or spent + held + cost > budget then
    return answer(0, 'budget', 'team', tonumber(ARGV[7]) - now)
  end
end
if tConc >= 0 and tCon + 1 > tConc then return answer(0, 'concurrent', 'team', 1000) end
if tRpm >= 0 and team.req + 1 > tRpm then return answer(0, 'rpm', 'team', untilFreed(team, 'r', team.req + 1 - tRpm)) end
if tTpm >= 0 and team.tok + tokens > tTpm then return answer(0, 'tpm', 'team', untilFreed(team, 't', team.tok + tokens - tTpm)) end
if kConc >= 0 and kCon + 1 > kConc then return answer(0, 'concurrent', 'key', 1000) end
if kRpm >= 0 and key.req + 1 > kRpm then return answer(0, 'rpm', 'key', untilFreed(key, 'r', key.req + 1 - kRpm)) end
if kTpm >= 0 and key.tok + tokens > kTpm then return answer(0, 'tpm', 'key', untilFreed(key, 't', key.tok + tokens - kTpm)) end

local leaseTtl = expiry - now + 61000
count(team, tokens)
count(key, tokens)
-- a key made anew here (a settlement may have just deleted it by emptying it) gets its time-to-live
-- at once, not at the next second's first admission, which may never come
redis.call('ZADD', KEYS[2], expiry, id)
redis.call('ZADD', KEYS[4], expiry, id)
if teamTidy or tCon == 0 then redis.call('PEXPIRE', KEYS[2], leaseTtl) end
if keyTidy or kCon == 0 then redis.call('PEXPIRE', KEYS[4], leaseTtl) end
if budget >= 0 then
  redis.call('HSET', KEYS[6], id, ARGV[4], '_total', int(held + cost))
  redis.call('ZADD', KEYS[7], expiry, id)
  -- nothing held: the expiries' key was empty (deleted) or the reservations' hash is new
  if teamTidy or held == 0 then
    redis.call('PEXPIRE', KEYS[6], leaseTtl)
    redis.call('PEXPIRE', KEYS[7], leaseTtl)
  end
end
return answer(1, '', '', 0)
