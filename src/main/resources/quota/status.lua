-- Reads a team's and a key's current use without changing anything but expired entries.
-- Returns {team requests, reset ms, tokens, reset ms, concurrent, key requests, reset ms, tokens,
-- reset ms, concurrent, spent nano-USD, reserved nano-USD}.
local tReq, _, tReqNew = window(KEYS[1])
local tTok, _, tTokNew = window(KEYS[2])
local kReq, _, kReqNew = window(KEYS[4])
local kTok, _, kTokNew = window(KEYS[5])
return {tReq, untilClear(tReqNew), tTok, untilClear(tTokNew), leases(KEYS[3]),
  kReq, untilClear(kReqNew), kTok, untilClear(kTokNew), leases(KEYS[6]),
  tonumber(redis.call('GET', KEYS[7]) or '0'), reserved()}
