-- cookieseal - wrk script for bench/http_load.sh: each wrk thread is one client that sends its
-- session cookie and keeps the one each Set-Cookie gives it, so every request after the first
-- loads, modifies and commits a session that exists. Ends with one "result ..." line.
local cookie = nil

request = function()
  if cookie then
    wrk.headers["Cookie"] = cookie
  end
  return wrk.format(nil)
end

response = function(status, headers, body)
  local set = headers["Set-Cookie"]
  if set then
    cookie = set:match("^([^;]+)")  -- name=value, without the attributes
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("result requests_per_s=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
