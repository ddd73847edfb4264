-- wrk script for `make bench`'s quiz submissions: every request posts a different started attempt.
-- BENCH_ATTEMPTS names a file of prepared attempts, one per line: path TAB cookie header TAB urlencoded body.
-- The attempts are dealt out to wrk's threads in turn. A thread posts its share once each, in order;
-- any not answered with its result page by then is posted again (after a short pause, so one still in
-- flight can answer first); the thread stops once every attempt of its share has answered. bench/pages.py
-- takes the burst's wall time from the database (wrk start to the last recorded submission).
--
-- wrk calls request() once before it opens any connection, on thread 0 only, to check that the script's
-- request parses (script_verify_request). An earlier version handed out the next attempt on every call,
-- so that check swallowed thread 0's first attempt: it was never posted ("1 not submitted" on every
-- backend, and the bench waiting out its deadline for it). Here the check gets a peek that uses up
-- nothing, and an attempt counts as done only when its own answer names it (a submission answers 302 to
-- /attempts/<token>/result), so nothing else can be lost silently. Posting a recorded submission again
-- is safe: the app answers with the recorded result and writes nothing.

local threads = {}
local counter = 0

-- Posts of one attempt at most: its first post and retries while it has not answered with its result.
local MAX_POSTS = 3
-- Pause (ms) before a retry, so that a post still in flight can answer first.
local RETRY_PAUSE_MS = 100

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_ATTEMPTS"), "r"))
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  items = {}
  local index = 0
  for line in file:lines() do
    if index % nthreads == id then
      local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(items, {
        token = assert(path:match("/attempts/([^/]+)/submit$")),
        posts = 0,
        request = wrk.format("POST", path, {
          ["Cookie"] = cookie,
          ["Content-Type"] = "application/x-www-form-urlencoded",
        }, body),
      })
    end
    index = index + 1
  end
  file:close()
  attempts = #items
  answered = {}    -- token -> true once its result page came back
  ok = 0           -- attempts answered with their result page
  failed = 0       -- answers that were anything else (that attempt is posted again, up to MAX_POSTS)
  cursor = 0       -- last item handed out
  first_pass = true
  verifying = (id == 0)  -- see the note at the top: thread 0's first request() is wrk's check
end

-- The next attempt to post: each in turn on the first pass, then those not yet answered.
local function next_item()
  for _ = 1, #items do
    if cursor >= #items then
      cursor = 0
      first_pass = false
    end
    cursor = cursor + 1
    local item = items[cursor]
    if not answered[item.token] and item.posts < MAX_POSTS then
      return item
    end
  end
  return nil
end

function delay()
  -- Retries wait a little: on the first pass's tail most unanswered attempts are merely in flight.
  if first_pass and cursor < #items then
    return 0
  end
  return RETRY_PAUSE_MS
end

function request()
  if verifying then
    verifying = false
    return items[1].request
  end
  local item = next_item()
  if item == nil then
    -- Nothing left to post but wrk needs a request: repeat the last (a replay answers with the
    -- recorded result and writes nothing); the thread stops on its answer.
    return items[#items].request
  end
  item.posts = item.posts + 1
  return item.request
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  local token = location:match("/attempts/([^/?]+)/result$")
  if status == 302 and token then
    if not answered[token] then
      answered[token] = true
      ok = ok + 1
    end
  else
    failed = failed + 1
  end
  if ok >= attempts then
    wrk.thread:stop()
  elseif not first_pass then
    local left = false
    for _, item in ipairs(items) do
      if not answered[item.token] and item.posts < MAX_POSTS then
        left = true
        break
      end
    end
    if not left then
      wrk.thread:stop()  -- what is left failed MAX_POSTS times: bench/pages.py reports it
    end
  end
end

function done(summary, latency, requests)
  local total_ok, total, total_failed = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total = total + thread:get("attempts")
    total_failed = total_failed + thread:get("failed")
  end
  io.write(string.format(
    'BENCH_SUBMIT {"attempts": %d, "ok": %d, "requests": %d, "duration_us": %d, "p50_us": %d, ' ..
    '"p99_us": %d, "errors": %d, "failed_answers": %d}\n',
    total, total_ok, summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    total_failed))
end
