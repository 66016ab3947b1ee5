-- Reads a team's and a key's current use without changing anything but expired entries.
-- Returns {team requests, reset ms, tokens, reset ms, concurrent, key requests, reset ms, tokens,
-- reset ms, concurrent, spent nano-USD, reserved nano-USD}.
local team = window(KEYS[1])
local key = window(KEYS[3])
return {team.req, untilClear(team), team.tok, untilClear(team), leases(KEYS[2]),
  key.req, untilClear(key), key.tok, untilClear(key), leases(KEYS[4]),
  tonumber(redis.call('GET', KEYS[5]) or '0'), reserved()}
