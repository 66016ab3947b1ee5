-- One replica's leases on a team, in one call: it takes slices of the team's (and its keys') limits and budget
-- that it then admits from locally, gives back what it did not use, and books what it spent. A slice is a
-- reservation like any request's, so every replica's admissions together stay within each limit:
-- - requests and tokens: counted in the minute window's current second, as that many requests would be; the
--   replica uses them during that second only, and later gives back the unused part (a correction of that
--   second, applied while it is still in the window, as a settlement corrects a request's tokens);
-- - concurrency: slots '<lease id>#<n>' in the scope's lease set, with the lease's expiry;
-- - budget: a reservation '<lease id>' in the reservations' hash, with the lease's expiry.
-- A replica that dies holding slices loses them until they expire; nothing is given to anyone twice.
-- KEYS: as common.lua (3 and 4 are the first key's, or unused), then more keys' window and leases in pairs.
-- ARGV: 1 now ms, 2 lease id, 3 lease expiry ms, 4 budget nano-USD (-1: none), 5 spend to book, 6 budget lease to
-- give back, 7 budget lease to take, 8 '1' to drop the budget lease, 9 spend key time-to-live ms, 10 '1' to answer
-- 'unseeded' (and change nothing) when the period's spend was never rebuilt from the ledger, 11 number of scopes,
-- then per scope: index of its window key (its leases key follows), rpm, tpm, concurrent (-1: no limit),
-- requests to take, tokens to take, tokens needed (for the retry time), slots held, slots to give back, slots to
-- take, number of corrections, then per correction: second, requests, tokens (added to that second).
-- Returns {'ok' or 'unseeded', budget taken, spent, budget room left, budget lease now held, then per scope: requests taken, tokens
-- taken, slots taken, requests in window, tokens in window, until clear ms, retry ms for requests, retry ms for
-- tokens, slots room left}.
local leaseId, expiry, budget = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local leaseTtl = expiry - now + 61000

if budget >= 0 and ARGV[10] == '1' and redis.call('EXISTS', KEYS[8]) == 0 then return {'unseeded'} end

local out = {'ok', 0, 0, 0, 0}
if budget >= 0 or tonumber(ARGV[5]) > 0 or tonumber(ARGV[6]) > 0 or ARGV[8] == '1' then
  local push = tonumber(ARGV[5])
  if push > 0 and redis.call('INCRBY', KEYS[5], int(push)) == push then redis.call('PEXPIRE', KEYS[5], ARGV[9]) end
  local total = reserved(true)
  local mine = tonumber(redis.call('HGET', KEYS[6], leaseId) or '0')
  local kept = math.max(0, mine - push - tonumber(ARGV[6]))
  if ARGV[8] == '1' then kept = 0 end
  local spent = tonumber(redis.call('GET', KEYS[5]) or '0')
  local taken = 0
  local room = 0
  if budget >= 0 and ARGV[8] ~= '1' then
    room = math.max(0, budget - spent - (total - mine) - kept)
    taken = math.min(tonumber(ARGV[7]), room)
    room = room - taken
  end
  local held = kept + taken
  if held > 0 then
    redis.call('HSET', KEYS[6], leaseId, int(held), '_total', int(total - mine + held))
    redis.call('ZADD', KEYS[7], expiry, leaseId)
    redis.call('PEXPIRE', KEYS[6], leaseTtl)
    redis.call('PEXPIRE', KEYS[7], leaseTtl)
  elseif mine > 0 then
    redis.call('HDEL', KEYS[6], leaseId)
    redis.call('ZREM', KEYS[7], leaseId)
    redis.call('HSET', KEYS[6], '_total', int(total - mine))
  end
  out = {'ok', int(taken), int(spent), int(room), int(held)}
end

local a = 12
for _ = 1, tonumber(ARGV[11]) do
  local idx = tonumber(ARGV[a])
  local rpm, tpm, conc = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local wantReq, wantTok, needTok = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local held, give, wantSlots = tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9])
  local corrections = tonumber(ARGV[a + 10])
  a = a + 11
  local w = window(KEYS[idx])
  -- the unused parts of earlier slices, and requests that used fewer tokens than they reserved
  for _ = 1, corrections do
    local sec, dReq, dTok = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    a = a + 3
    if sec > nowSec - 60 and sec <= nowSec then
      local v = redis.call('HMGET', w.key, 'r' .. sec, 't' .. sec)
      if v[1] or v[2] then
        local r0, t0 = tonumber(v[1] or '0'), tonumber(v[2] or '0')
        local r1, t1 = math.max(0, r0 + dReq), math.max(0, t0 + dTok)
        w.req, w.tok = math.max(0, w.req + r1 - r0), math.max(0, w.tok + t1 - t0)
        if sec == nowSec then w.nowReq, w.nowTok = r1, t1 end
        redis.call('HSET', w.key, 'r' .. sec, int(r1), 't' .. sec, int(t1), 'rs', int(w.req), 'ts', int(w.tok))
      end
    end
  end
  local gReq = rpm >= 0 and math.max(0, math.min(wantReq, rpm - w.req)) or 0
  local gTok = tpm >= 0 and math.max(0, math.min(wantTok, tpm - w.tok)) or 0
  local retryReq, retryTok = 0, 0
  if rpm >= 0 and wantReq > 0 and gReq == 0 then retryReq = untilFreed(w, 'r', w.req + 1 - rpm) end
  if tpm >= 0 and needTok > 0 and w.tok + needTok > tpm then retryTok = untilFreed(w, 't', w.tok + needTok - tpm) end
  if gReq > 0 or gTok > 0 then count(w, gTok, gReq) end

  local slotsRoom, gSlots = 0, 0
  if conc >= 0 or held > 0 then
    local lk = KEYS[idx + 1]
    local kept = math.max(0, held - give)
    for n = kept + 1, held do redis.call('ZREM', lk, leaseId .. '#' .. n) end
    for n = 1, kept do redis.call('ZADD', lk, 'XX', expiry, leaseId .. '#' .. n) end
    local inUse = leases(lk, true)
    if conc >= 0 then
      gSlots = math.max(0, math.min(wantSlots, conc - inUse))
      for n = kept + 1, kept + gSlots do redis.call('ZADD', lk, expiry, leaseId .. '#' .. n) end
      slotsRoom = math.max(0, conc - inUse - gSlots)
    end
    if kept + gSlots > 0 then redis.call('PEXPIRE', lk, leaseTtl) end
  end
  local untilClearMs = untilClear(w)
  for _, v in ipairs({gReq, gTok, gSlots, w.req, w.tok, untilClearMs, retryReq, retryTok, slotsRoom}) do
    out[#out + 1] = int(v)
  end
end
return out
