-- wrk script for bench/admission.sh: POSTs one AdmissionReview at a fixed overall rate and prints exact percentiles.
--
--   wrk -t THREADS -c CONNECTIONS -d 20s -s bench/admission.lua https://HOST:PORT/validate -- BODY_FILE RATE THREADS
--
-- Pacing: Debian's wrk (4.1) has no rate option, only a delay() hook called before each request of a connection.
-- Each thread keeps an absolute schedule, one request start every THREADS*1000/RATE ms (threads offset from each
-- other), and a connection that becomes free claims the next slot and waits for it. So the rate does not drift
-- with the latency (as a fixed pause after each answer would), and requests are spread evenly instead of leaving in
-- bursts (as `hey -q`, whose workers tick in lockstep, sends them). A slot that arrives while every connection is
-- still busy starts late, when one frees up: those are counted (late, late_max_ms) because that waiting is not in the
-- latency figures (wrk times a request from its first byte written to its answer's last byte read).
-- RATE 0: no pacing, every connection sends its next request as soon as it has the answer (throughput mode).
--
-- Every answer is checked: HTTP 200 whose body says "allowed":true (not_allowed and bad_status count the others).
-- done() prints one line: RESULT key=value ... (latencies in microseconds, exact: wrk keeps a 1 µs histogram).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } gantry_bench_timespec;
int clock_gettime(int clk_id, gantry_bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("gantry_bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- main state: the threads, for done()
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

-- thread states from here on
function init(args)
  local file = assert(io.open(args[1], "rb"), "cannot read the request body " .. tostring(args[1]))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  local rate, nthreads = tonumber(args[2]), tonumber(args[3])
  if rate > 0 then
    interval = nthreads * 1000 / rate -- ms between the request starts of this thread
    offset = index * interval / nthreads
  end
  late, late_max, not_allowed, bad_status = 0, 0, 0, 0
end

function delay()
  if not interval then
    return 0
  end
  local t = now_ms()
  if not next_at then
    next_at = t + offset
  end
  local wait = next_at - t
  next_at = next_at + interval
  if wait < 0 then
    late = late + 1
    if -wait > late_max then
      late_max = -wait
    end
    return 0
  end
  return math.floor(wait + 0.5) -- wrk's timers count whole ms
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif not string.find(body, '"allowed":true', 1, true) then
    not_allowed = not_allowed + 1
  end
end

function done(summary, latency, requests)
  local late_n, late_ms, denied, bad = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    late_n = late_n + thread:get("late")
    late_ms = math.max(late_ms, thread:get("late_max"))
    denied = denied + thread:get("not_allowed")
    bad = bad + thread:get("bad_status")
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d mean_us=%.1f p50_us=%d p90_us=%d p99_us=%d "
    .. "p999_us=%d max_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d "
    .. "not_allowed=%d bad_status=%d late=%d late_max_ms=%.1f\n",
    summary.requests, summary.duration, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    denied, bad, late_n, late_ms))
end
