-- wrk script for bench/load.py. MODE (env): "sign" posts distinct signatures; "confirm" posts
-- each confirmation path in PATHS_FILE once. Every request carries one of the CSRF
-- cookie/token/form-timestamp sets in TOKENS_FILE, as the browsers that fetched them would
-- (a timestamp of "-" is sent empty), with the Origin and Sec-Fetch-Site a browser sends.
-- POSTs stop STOP_AFTER seconds into the run, so that none is cut off by wrk's clock; the
-- rest of the run sends a few cheap GETs of /healthz. response() counts the redirects that mean
-- "accepted" (the GETs get 200) and the 5xx; wrk itself counts non-2xx/3xx responses.
-- done() prints one JSON line with the figures.

local mode = os.getenv("MODE")
-- Distinct emails across runs against the same database, too.
local run = os.getenv("RUN") or "0"
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
  n, posts, redirects, server_errors = 0, 0, 0, 0
  stop_at = os.time() + tonumber(os.getenv("STOP_AFTER") or "1e9")
  tokens = {}
  for _, line in ipairs(lines(os.getenv("TOKENS_FILE"))) do
    local cookie, token, started = line:match("([^ ]+) ([^ ]+) ([^ ]+)")
    if started == "-" then started = "" end
    table.insert(tokens, {cookie = cookie, token = token, started = started})
  end
  origin = os.getenv("ORIGIN")
  sign_path = os.getenv("SIGN_PATH")
  paths = {}
  if mode == "confirm" then
    for i, p in ipairs(lines(os.getenv("PATHS_FILE"))) do
      if (i - 1) % nthreads == id - 1 then table.insert(paths, p) end
    end
  end
end

local function post(path, pair, body)
  posts = posts + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. pair.cookie,
    ["Origin"] = origin,
    -- What every browser sends on a form's POST to its own site.
    ["Sec-Fetch-Site"] = "same-origin",
    ["X-Forwarded-Proto"] = "https",
  }, body)
end

function request()
  n = n + 1
  if os.time() >= stop_at or (mode == "confirm" and n > #paths) then
    return wrk.format("GET", "/healthz")
  end
  local pair = tokens[(n + id) % #tokens + 1]
  if mode == "sign" then
    local body = string.format(
      "csrfmiddlewaretoken=%s&started=%s&name=Bench+Supporter+%d+%d&email=bench-%s-%d-%d%%40example.org&country=GB&comment=Signed+under+load",
      pair.token, pair.started, id, n, run, id, n)
    return post(sign_path, pair, body)
  end
  return post(paths[n], pair, "csrfmiddlewaretoken=" .. pair.token)
end

-- Once the POSTs are over, one GET a second per connection: so few that the latency
-- percentiles stay those of the POSTs (wrk times a request from its sending, after the delay).
function delay()
  if os.time() >= stop_at or (mode == "confirm" and n >= #paths) then return 1000 end
  return 0
end

function response(status, headers, body)
  if status == 302 then redirects = redirects + 1 end
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local posts_total, redirects_total, server_errors_total = 0, 0, 0
  for _, t in ipairs(threads) do
    posts_total = posts_total + t:get("posts")
    redirects_total = redirects_total + t:get("redirects")
    server_errors_total = server_errors_total + t:get("server_errors")
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "posts": %d, "redirects": %d, "failed": %d, "server_errors": %d, "socket_errors": %d, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, posts_total, redirects_total, summary.errors.status, server_errors_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
