-- wrk script for `make bench`'s quiz submissions: every request posts a different started attempt.
-- BENCH_ATTEMPTS names a file of prepared attempts, one per line: path TAB cookie header TAB urlencoded body.
-- Run it with one wrk thread (-t1; wrk's CPU stays around 1% of a core): the thread posts every attempt
-- once, in order, then stops when each has answered with its own result page. bench/pages.py takes the
-- burst's wall time from the database (wrk start to the last recorded submission).
--
-- Three traps of wrk against gunicorn's sync workers, each of which an earlier version fell into:
-- * wrk calls request() once before it opens any connection, to check that the script's request parses
--   (script_verify_request). Handing out the next attempt on every call let that check swallow the
--   first attempt: it was never posted ("1 not submitted" on every backend, and the bench waiting out
--   its deadline for it). Here the check gets a peek that uses up nothing.
-- * A sync worker that accepts a connection blocks reading it until a request arrives. A wrk thread
--   that stops (its share done) leaves its freshly reconnected sockets unwritten, and delay() holds a
--   connected socket silent too: either parks a worker until gunicorn's 30 s timeout kills it. So: one
--   thread, which stops only when every attempt is answered, and no delay().
-- * Responses arrive in any order, so an attempt counts as done only when its own answer names it (302
--   to /attempts/<token>/result). While posts are still in flight, a connection with nothing new to
--   post re-posts an attempt already answered (the app answers a recorded submission with its result and
--   writes nothing: a cheap read); once nothing is in flight, an attempt that was answered otherwise is
--   posted again, up to MAX_POSTS times.

local threads = {}
local counter = 0

-- Posts of one attempt at most: its first post and retries while it has not answered with its result.
local MAX_POSTS = 3

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_ATTEMPTS"), "r"))
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  items = {}
  by_token = {}
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
  for _, item in ipairs(items) do
    by_token[item.token] = item
  end
  attempts = #items
  answered = {}    -- token -> true once its result page came back
  ok = 0           -- attempts answered with their result page
  failed = 0       -- answers that were anything else (that attempt is posted again, up to MAX_POSTS)
  sent = 0         -- posts handed to wrk (wrk's own check excluded)
  received = 0     -- answers
  cursor = 0       -- first pass: last attempt handed out
  last_ok = nil    -- an answered attempt, re-posted while others are in flight
  verifying = (id == 0)  -- see the note at the top: thread 0's first request() is wrk's check
end

local function retry_item()
  for _, item in ipairs(items) do
    if not answered[item.token] and item.posts < MAX_POSTS then
      return item
    end
  end
  return nil
end

function request()
  if verifying then
    verifying = false
    return items[1].request
  end
  local item = nil
  if cursor < #items then
    cursor = cursor + 1
    item = items[cursor]
  elseif received >= sent then
    item = retry_item()  -- nothing in flight: what is unanswered was answered otherwise
  end
  if item == nil then
    -- Nothing to post now: repeat an answered attempt (a cheap read, nothing written).
    sent = sent + 1
    return (last_ok or items[#items]).request
  end
  item.posts = item.posts + 1
  sent = sent + 1
  return item.request
end

function response(status, headers, body)
  received = received + 1
  local location = headers["Location"] or headers["location"] or ""
  local token = location:match("/attempts/([^/?]+)/result$")
  if status == 302 and token then
    if not answered[token] then
      answered[token] = true
      ok = ok + 1
      last_ok = by_token[token] or last_ok
    end
  else
    failed = failed + 1
  end
  if ok >= attempts or (cursor >= #items and received >= sent and retry_item() == nil) then
    wrk.thread:stop()
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
