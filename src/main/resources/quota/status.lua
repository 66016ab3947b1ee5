-- Reads a team's and a key's current use without changing anything but expired entries.
-- Returns {team requests, reset ms, tokens, reset ms, concurrent, key requests, reset ms, tokens,
-- reset ms, concurrent, spent nano-USD, reserved nano-USD}.
local tReq, tReqLive = window(KEYS[1])
local tTok, tTokLive = window(KEYS[2])
local kReq, kReqLive = window(KEYS[4])
local kTok, kTokLive = window(KEYS[5])
return {tReq, untilClear(tReqLive), tTok, untilClear(tTokLive), leases(KEYS[3]),
  kReq, untilClear(kReqLive), kTok, untilClear(kTokLive), leases(KEYS[6]),
  tonumber(redis.call('GET', KEYS[7]) or '0'), reserved()}
