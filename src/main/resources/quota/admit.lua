-- Checks every limit of the team and the key and, only if all pass, reserves: one request, the
-- tokens, a concurrency lease in each scope, and the worst-case cost against the budget.
-- ARGV: 1 now ms, 2 reservation id, 3 tokens, 4 cost nano-USD, 5 lease expiry ms, 6 budget nano-USD
-- (-1: none), 7 budget period end ms, 8-10 team rpm/tpm/concurrent, 11-13 key rpm/tpm/concurrent
-- (-1: no limit). Returns {admitted, refusal, scope, retry ms, then for team and key: requests used,
-- requests reset ms, tokens used, tokens reset ms}.
local id, tokens, cost, expiry = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local budget = tonumber(ARGV[6])
local tRpm, tTpm, tConc = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local kRpm, kTpm, kConc = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])

local tReq, tReqLive, tReqNew = window(KEYS[1])
local tTok, tTokLive, tTokNew = window(KEYS[2])
local tCon = leases(KEYS[3])
local kReq, kReqLive, kReqNew = window(KEYS[4])
local kTok, kTokLive, kTokNew = window(KEYS[5])
local kCon = leases(KEYS[6])
local held = budget >= 0 and reserved() or 0

local function answer(admitted, reason, scope, retry)
  return {admitted, reason, scope, retry,
    tReq, untilClear(tReqNew), tTok, untilClear(tTokNew),
    kReq, untilClear(kReqNew), kTok, untilClear(kTokNew)}
end

if budget >= 0 then
  local spent = tonumber(redis.call('GET', KEYS[7]) or '0')
  if spent >= budget or spent + held + cost > budget then
    return answer(0, 'budget', 'team', tonumber(ARGV[7]) - now)
  end
end
if tConc >= 0 and tCon + 1 > tConc then return answer(0, 'concurrent', 'team', 1000) end
if tRpm >= 0 and tReq + 1 > tRpm then return answer(0, 'rpm', 'team', untilFreed(tReqLive, tReq + 1 - tRpm)) end
if tTpm >= 0 and tTok + tokens > tTpm then return answer(0, 'tpm', 'team', untilFreed(tTokLive, tTok + tokens - tTpm)) end
if kConc >= 0 and kCon + 1 > kConc then return answer(0, 'concurrent', 'key', 1000) end
if kRpm >= 0 and kReq + 1 > kRpm then return answer(0, 'rpm', 'key', untilFreed(kReqLive, kReq + 1 - kRpm)) end
if kTpm >= 0 and kTok + tokens > kTpm then return answer(0, 'tpm', 'key', untilFreed(kTokLive, kTok + tokens - kTpm)) end

local leaseTtl = expiry - now + 60000
for _, k in ipairs({KEYS[1], KEYS[4]}) do
  redis.call('HINCRBY', k, nowSec, 1)
  redis.call('PEXPIRE', k, 61000)
end
for _, k in ipairs({KEYS[2], KEYS[5]}) do
  redis.call('HINCRBY', k, nowSec, tokens)
  redis.call('PEXPIRE', k, 61000)
end
for _, k in ipairs({KEYS[3], KEYS[6]}) do
  redis.call('ZADD', k, expiry, id)
  redis.call('PEXPIRE', k, leaseTtl)
end
if budget >= 0 then
  redis.call('HSET', KEYS[8], id, cost)
  redis.call('HINCRBY', KEYS[8], '_total', cost)
  redis.call('ZADD', KEYS[9], expiry, id)
  redis.call('PEXPIRE', KEYS[8], leaseTtl)
  redis.call('PEXPIRE', KEYS[9], leaseTtl)
end
tReq, kReq, tTok, kTok = tReq + 1, kReq + 1, tTok + tokens, kTok + tokens
tReqNew, kReqNew, tTokNew, kTokNew = nowSec, nowSec, nowSec, nowSec
return answer(1, '', '', 0)
