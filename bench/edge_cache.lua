-- wrk script for bench/edge_cache.py's reader burst: each connection cycles through MIX, the
-- requests that readers of a viral petition send (the appeal page in three languages, one of
-- them chosen by the language cookie, its counter supporters.json and the API's count). The
-- requests are built once, in init(), so that wrk spends its time sending them. No
-- response(): wrk then parses no headers for Lua. done() prints one JSON line.

local slug = os.getenv("SLUG")
local MIX = {
  {"/" .. slug .. "/", {}},
  {"/" .. slug .. "/", {["Accept-Language"] = "fr-FR,fr;q=0.9"}},
  {"/" .. slug .. "/", {}},
  {"/" .. slug .. "/", {["Accept-Language"] = "zh-CN,zh;q=0.9"}},
  {"/" .. slug .. "/", {["Cookie"] = "django_language=fr"}},
  {"/" .. slug .. "/supporters.json", {}},
  {"/" .. slug .. "/", {}},
  {"/api/petitions/" .. slug .. "/count/", {}},
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  requests_built = {}
  for _, entry in ipairs(MIX) do
    local headers = {["X-Forwarded-Proto"] = "https"}
    for k, v in pairs(entry[2]) do headers[k] = v end
    table.insert(requests_built, wrk.format("GET", entry[1], headers))
  end
  n = id  -- the threads start at different places in the mix
end

function request()
  n = n + 1
  return requests_built[n % #requests_built + 1]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "failed": %d, "socket_errors": %d, "connect_errors": %d, "timeouts": %d, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.connect, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
