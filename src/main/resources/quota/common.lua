-- Shared by the quota scripts. KEYS: 1 team minute window, 2 team leases, 3 key minute window,
-- 4 key leases, 5 team spend in this budget period, 6 budget reservations (id -> nano-USD, and
-- their total in '_total'), 7 reservation expiries (id -> ms), 8 when the period's spend was rebuilt from
-- the ledger (ms; missing after Redis lost its data). Times come from the gateway (ARGV[1],
-- epoch ms). A minute window is one hash per scope: requests and tokens per second in the fields
-- 'r<second>' and 't<second>', the running sums of the live seconds in 'rs' and 'ts', the oldest
-- second that may still hold a bucket in 'o' and the newest second counted in 'n'. A second counts
-- while it is one of the last 60. Every call into Redis from a script costs about a microsecond, so
-- the scripts make as few as they can: reading a window is one HMGET, counting in it one HSET, and
-- what only needs doing once a second (tidying expired leases, extending time-to-live) is done by
-- the first admission of each second.
local now = tonumber(ARGV[1])
local nowSec = math.floor(now / 1000)

-- A number as Redis should store it: Lua would write large ones in exponent notation.
local function int(v) return string.format('%d', v) end

-- Every bucket of a window, as {kind ('r' or 't'), second, amount, field}; only for the rare paths.
local function buckets(key)
  local flat = redis.call('HGETALL', key)
  local out = {}
  for i = 1, #flat, 2 do
    local sec = tonumber(string.sub(flat[i], 2))
    if sec ~= nil then out[#out + 1] = {string.sub(flat[i], 1, 1), sec, tonumber(flat[i + 1]), flat[i]} end
  end
  return out
end

-- Reads a window, first dropping the seconds that left it since the last call (usually none).
local function window(key)
  local st = redis.call('HMGET', key, 'rs', 'ts', 'o', 'n', 'r' .. nowSec, 't' .. nowSec)
  local w = {key = key, req = tonumber(st[1] or '0'), tok = tonumber(st[2] or '0'), oldest = tonumber(st[3] or ''),
    newest = tonumber(st[4] or ''), nowReq = tonumber(st[5] or '0'), nowTok = tonumber(st[6] or '0')}
  local cutoff = nowSec - 60
  if w.oldest ~= nil and w.oldest <= cutoff then
    local dead = {}
    if w.oldest < cutoff - 180 then
      -- the window normally expires a minute after its last count; if it did not (clocks that jumped),
      -- count it again from its buckets
      w.req, w.tok = 0, 0
      for _, b in ipairs(buckets(key)) do
        if b[2] <= cutoff then dead[#dead + 1] = b[4]
        elseif b[1] == 'r' then w.req = w.req + b[3]
        elseif b[1] == 't' then w.tok = w.tok + b[3] end
      end
    else
      -- the seconds that left the window since the last call: usually one
      for sec = w.oldest, cutoff do
        dead[#dead + 1] = 'r' .. sec
        dead[#dead + 1] = 't' .. sec
      end
      local amounts = redis.call('HMGET', key, unpack(dead))
      for i = 1, #dead, 2 do
        if amounts[i] then w.req = w.req - tonumber(amounts[i]) end
        if amounts[i + 1] then w.tok = w.tok - tonumber(amounts[i + 1]) end
      end
    end
    w.req, w.tok, w.oldest = math.max(0, w.req), math.max(0, w.tok), cutoff + 1
    if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
    redis.call('HSET', key, 'rs', int(w.req), 'ts', int(w.tok), 'o', int(w.oldest))
  end
  if w.newest ~= nil and w.newest <= cutoff then w.newest = nil end
  return w
end

-- Counts one request (or `requests`: a replica's slice) and its tokens in the current second of a window
-- read by window().
local function count(w, tokens, requests)
  requests = requests or 1
  local fields = {'r' .. nowSec, int(w.nowReq + requests), 't' .. nowSec, int(w.nowTok + tokens), 'rs', int(w.req + requests),
    'ts', int(w.tok + tokens)}
  -- a request stamped a moment before one that reached Redis first counts in an older second: 'o'
  -- must cover it, or pruning would never subtract it
  if w.oldest == nil or nowSec < w.oldest then
    fields[#fields + 1] = 'o'
    fields[#fields + 1] = int(nowSec)
  end
  local first = w.newest ~= nowSec
  if w.newest == nil or nowSec > w.newest then
    fields[#fields + 1] = 'n'
    fields[#fields + 1] = int(nowSec)
    w.newest = nowSec
  end
  redis.call('HSET', w.key, unpack(fields))
  if first then redis.call('PEXPIRE', w.key, 62000) end
  w.req, w.tok, w.nowReq, w.nowTok = w.req + requests, w.tok + tokens, w.nowReq + requests, w.nowTok + tokens
end

-- Milliseconds until enough of a window's requests ('r') or tokens ('t') leave it to free an amount;
-- reads every bucket, so it runs only to answer a refusal.
local function untilFreed(w, kind, amount)
  local live = {}
  for _, b in ipairs(buckets(w.key)) do
    if b[1] == kind and b[2] > nowSec - 60 and b[2] <= nowSec then live[#live + 1] = {b[2], b[3]} end
  end
  table.sort(live, function(a, b) return a[1] < b[1] end)
  local freed = 0
  for _, b in ipairs(live) do
    freed = freed + b[2]
    if freed >= amount then return math.max(1, (b[1] + 60) * 1000 - now) end
  end
  return math.max(1, (nowSec + 60) * 1000 - now)
end

-- Milliseconds until a window holds nothing (its reset time).
local function untilClear(w)
  if w.newest == nil then return 0 end
  return (w.newest + 60) * 1000 - now
end

-- Live leases. Expired ones (their replica died) are dropped at most once a second per scope
-- ('tidy'), which frees them at most a second later.
local function leases(key, tidy)
  if tidy ~= false then redis.call('ZREMRANGEBYSCORE', key, '-inf', now) end
  return redis.call('ZCARD', key)
end

-- The total of the budget reservations in flight is kept in the field '_total' of KEYS[6], so no
-- admission sums them all; reservations whose replica died before settling them are dropped here
-- (at most once a second, like leases).
local function reserved(tidy)
  local expired = tidy ~= false and redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now) or {}
  if #expired > 0 then
    local amounts = redis.call('HMGET', KEYS[6], unpack(expired))
    local gone = 0
    for _, a in ipairs(amounts) do if a then gone = gone + tonumber(a) end end
    redis.call('HDEL', KEYS[6], unpack(expired))
    redis.call('ZREM', KEYS[7], unpack(expired))
    if gone > 0 then redis.call('HINCRBY', KEYS[6], '_total', int(-gone)) end
  end
  return tonumber(redis.call('HGET', KEYS[6], '_total') or '0')
end
