-- wrk script of the runtime benchmark.
-- Arguments (after --): PATH [N]. Without N every request GETs PATH (one hot object); with N, each
-- request GETs PATH with "%d" replaced by a uniformly random number in 1..N (N objects).
-- done() prints one line: RESULT rps=... p50_ms=... p99_ms=... requests=... errors=...
local template, n, fixed = "/", 0, nil

function init(args)
  template = args[1] or "/"
  n = tonumber(args[2] or "0")
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  if n == 0 then
    fixed = wrk.format("GET", template)
  end
end

function request()
  if fixed then
    return fixed
  end
  return wrk.format("GET", string.format(template, math.random(1, n)))
end

function done(summary, latency, requests)
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write
             + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, errs))
end
