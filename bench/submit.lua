-- wrk script for `make bench`'s quiz submissions: every request posts a different started attempt.
-- BENCH_ATTEMPTS names a file of prepared attempts, one per line: path TAB cookie header TAB urlencoded body.
-- The attempts are dealt out to wrk's threads in turn; a thread stops once its share is posted, so wrk
-- ends when every attempt has been submitted once, and the run's duration is the burst's wall time.
-- A submission counts as done when it answers 302 to its result page (/attempts/<token>/result).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_ATTEMPTS"), "r"))
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  requests_list = {}
  local index = 0
  for line in file:lines() do
    if index % nthreads == id then
      local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(requests_list, wrk.format("POST", path, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, body))
    end
    index = index + 1
  end
  file:close()
  sent = 0
  answered = 0
  ok = 0
end

function request()
  sent = sent + 1
  if sent > #requests_list then
    -- Nothing left for this connection: wrk needs a request, so repeat the last (a replay of the same
    -- submission answers with the recorded result and is not counted); the thread stops on the next answer.
    return requests_list[#requests_list]
  end
  return requests_list[sent]
end

function response(status, headers, body)
  answered = answered + 1
  if answered <= #requests_list then
    local location = headers["Location"] or headers["location"] or ""
    if status == 302 and location:match("/result$") then
      ok = ok + 1
    end
  end
  if answered >= #requests_list then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_ok, total = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total = total + #thread:get("requests_list")
  end
  io.write(string.format(
    'BENCH_SUBMIT {"attempts": %d, "ok": %d, "requests": %d, "duration_us": %d, "p50_us": %d, ' ..
    '"p99_us": %d, "errors": %d}\n',
    total, total_ok, summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
