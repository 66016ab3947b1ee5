-- Shared by the quota scripts. KEYS: 1 team rpm, 2 team tpm, 3 team leases, 4 key rpm, 5 key tpm,
-- 6 key leases, 7 team spend in this budget period, 8 budget reservations (id -> nano-USD),
-- 9 reservation expiries (id -> ms). Minute windows are hashes of second -> amount; a second
-- counts while it is one of the last 60. Times come from the gateway (ARGV[1], epoch ms).
local now = tonumber(ARGV[1])
local nowSec = math.floor(now / 1000)

-- One pass over a window: its sum, the newest second holding anything (for the reset time) and the
-- live buckets, unsorted; they are sorted only to answer a refusal.
local function window(key)
  local flat = redis.call('HGETALL', key)
  local live, dead, sum, newest = {}, {}, 0, nil
  for i = 1, #flat, 2 do
    local sec = tonumber(flat[i])
    local v = tonumber(flat[i + 1])
    if sec <= nowSec - 60 then
      dead[#dead + 1] = flat[i]
    elseif sec <= nowSec then
      sum = sum + v
      live[#live + 1] = {sec, v}
      if v > 0 and (newest == nil or sec > newest) then newest = sec end
    end
  end
  if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
  return sum, live, newest
end

local function untilFreed(live, amount)
  table.sort(live, function(a, b) return a[1] < b[1] end)
  local freed = 0
  for _, b in ipairs(live) do
    freed = freed + b[2]
    if freed >= amount then return math.max(1, (b[1] + 60) * 1000 - now) end
  end
  return math.max(1, (nowSec + 60) * 1000 - now)
end

local function untilClear(newest)
  if newest == nil then return 0 end
  return (newest + 60) * 1000 - now
end

local function leases(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  return redis.call('ZCARD', key)
end

-- The total of the budget reservations in flight is kept in the field '_total' of KEYS[8], so no
-- admission sums them all; reservations whose replica died before settling them are dropped here.
local function reserved()
  local expired = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', now)
  if #expired > 0 then
    local amounts = redis.call('HMGET', KEYS[8], unpack(expired))
    local gone = 0
    for _, a in ipairs(amounts) do if a then gone = gone + tonumber(a) end end
    redis.call('HDEL', KEYS[8], unpack(expired))
    redis.call('ZREM', KEYS[9], unpack(expired))
    if gone > 0 then redis.call('HINCRBY', KEYS[8], '_total', -gone) end
  end
  return tonumber(redis.call('HGET', KEYS[8], '_total') or '0')
end
