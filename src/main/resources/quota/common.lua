-- Shared by the quota scripts. KEYS: 1 team rpm, 2 team tpm, 3 team leases, 4 key rpm, 5 key tpm,
-- 6 key leases, 7 team spend in this budget period, 8 budget reservations (id -> nano-USD),
-- 9 reservation expiries (id -> ms). Minute windows are hashes of second -> amount; a second
-- counts while it is one of the last 60. Times come from the gateway (ARGV[1], epoch ms).
local now = tonumber(ARGV[1])
local nowSec = math.floor(now / 1000)

local function window(key)
  local flat = redis.call('HGETALL', key)
  local live, dead, sum = {}, {}, 0
  for i = 1, #flat, 2 do
    local sec = tonumber(flat[i])
    local v = tonumber(flat[i + 1])
    if sec <= nowSec - 60 then
      dead[#dead + 1] = flat[i]
    elseif sec <= nowSec then
      sum = sum + v
      live[#live + 1] = {sec, v}
    end
  end
  if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
  table.sort(live, function(a, b) return a[1] < b[1] end)
  return sum, live
end

local function untilFreed(live, amount)
  local freed = 0
  for _, b in ipairs(live) do
    freed = freed + b[2]
    if freed >= amount then return math.max(1, (b[1] + 60) * 1000 - now) end
  end
  return math.max(1, (nowSec + 60) * 1000 - now)
end

local function untilClear(live)
  for i = #live, 1, -1 do
    if live[i][2] > 0 then return (live[i][1] + 60) * 1000 - now end
  end
  return 0
end

local function leases(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  return redis.call('ZCARD', key)
end

-- reservations whose replica died before settling them: drop them, then total the rest
local function reserved()
  local expired = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', now)
  if #expired > 0 then
    redis.call('HDEL', KEYS[8], unpack(expired))
    redis.call('ZREM', KEYS[9], unpack(expired))
  end
  local total = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[8])) do total = total + tonumber(v) end
  return total
end
