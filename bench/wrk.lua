-- wrk script for bench/load.py. MODE (env): "get" counts statuses of plain GETs; "sign"
-- posts distinct signatures; "confirm" posts each confirmation path in PATHS_FILE once.
-- Every request carries one of the CSRF cookie/token/form-timestamp sets in TOKENS_FILE, as the browsers
-- that fetched them would. POSTs stop STOP_AFTER seconds into the run (wrk's clock would cut
-- requests in flight); the rest of the run sends cheap GETs of /healthz, not counted as
-- redirects. done() prints one JSON line with the figures.

local mode = os.getenv("MODE") or "get"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("nthreads", tonumber(os.getenv("THREADS") or "2"))
end

local function lines(path)
  local t = {}
  for line in io.lines(path) do table.insert(t, line) end
  return t
end

function init(args)
  ok, redirects, s4, s5, other, n = 0, 0, 0, 0, 0, 0
  stop_at = os.time() + tonumber(os.getenv("STOP_AFTER") or "1e9")
  if mode ~= "get" then
    tokens = {}
    for _, line in ipairs(lines(os.getenv("TOKENS_FILE"))) do
      local cookie, token, started = line:match("([^ ]+) ([^ ]+) ([^ ]+)")
      table.insert(tokens, {cookie = cookie, token = token, started = started})
    end
    origin = os.getenv("ORIGIN")
  end
  if mode == "confirm" then
    paths = {}
    for i, p in ipairs(lines(os.getenv("PATHS_FILE"))) do
      if (i - 1) % nthreads == id - 1 then table.insert(paths, p) end
    end
  end
end

local function post(path, pair, body)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. pair.cookie,
    ["Origin"] = origin,
    ["X-Forwarded-Proto"] = "https",
  }, body)
end

function request()
  n = n + 1
  if mode == "get" then
    return wrk.format("GET", nil, {["X-Forwarded-Proto"] = "https"})
  end
  if os.time() >= stop_at or (mode == "confirm" and n > #paths) then
    return wrk.format("GET", "/healthz")
  end
  local pair = tokens[(n + id) % #tokens + 1]
  if mode == "sign" then
    local body = string.format(
      "csrfmiddlewaretoken=%s&started=%s&name=Bench+Supporter+%d+%d&email=bench-%d-%d%%40example.org&country=GB&comment=Signed+under+load",
      pair.token, pair.started, id, n, id, n)
    return post(os.getenv("SIGN_PATH"), pair, body)
  end
  return post(paths[n], pair, "csrfmiddlewaretoken=" .. pair.token)
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status == 302 then ok = ok + 1; redirects = redirects + 1
  elseif status == 200 then ok = ok + 1
  elseif status >= 400 then s4 = s4 + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local tot = {ok = 0, redirects = 0, s4 = 0, s5 = 0, other = 0}
  for _, t in ipairs(threads) do
    for k, _ in pairs(tot) do tot[k] = tot[k] + t:get(k) end
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "ok": %d, "redirects": %d, "s4": %d, "s5": %d, "other": %d, "socket_errors": %d, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, tot.ok, tot.redirects, tot.s4, tot.s5, tot.other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
