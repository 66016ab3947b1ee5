-- wrk script for cache-bench.sh: the chat request of post.lua to model $CACHE_MODEL. With CACHE_UNIQUE=1 every
-- request carries a prompt no other request had (so each one misses the cache); otherwise all are identical.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TEAM_KEY") or "tg-bench-key-0123456789abcdefghijklmnopqrstu")
local model = os.getenv("CACHE_MODEL") or "gpt-bench"
local unique = os.getenv("CACHE_UNIQUE") == "1"
local template = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are a helpful assistant."},'
  .. '{"role":"user","content":"Write one sentence about a quick brown fox.%s"}],"max_tokens":64}'
wrk.body = string.format(template, "")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local id, counter, run
function init(args)
  id = wrk.thread:get("id") or 0
  counter = 0
  run = tostring(os.time())
end

function request()
  if not unique then return wrk.format() end
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(template, " " .. run .. "-" .. id .. "-" .. counter))
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f p999=%.3f errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
end
